// Builds survey/static/dist/ from assets/ (run with `npm run build`; `make assets` runs it):
// - app.css (every page): the DKFDS rules (dkfds.scss) that the citizen pages' templates can match, the @font-face
//   rules of the font subsets, then our citizen rules (app.scss);
// - staff.css (staff pages only, loaded after app.css): the remaining DKFDS rules, then staff.scss;
// - fonts/: IBM Plex Sans regular and semibold, subset to the characters our texts use (fontTools' subsetter, from
//   the project's Python environment: .venv, or $PYTHON);
// - img/: the few DKFDS icons the stylesheets refer to; favicon.svg and favicon.ico (the app answers /favicon.ico);
// - app.js.
// Every file a page links to gets a fingerprinted name (app.3f9c0a1b2d4e.css: the first 12 hex digits of its
// SHA-256), and the stylesheets refer to the fingerprinted fonts and images; manifest.json maps each plain name to its
// fingerprinted one (survey/kernel/assets.py reads it). The stylesheets, app.js and favicon.svg keep their plain
// names too (served with a short cache), for a page cached before a deployment. Last, WhiteNoise's compressor writes a .gz and a .br beside every text file.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import postcss from 'postcss';
import * as sass from 'sass';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'survey', 'static', 'dist');
const dkfds = join(root, 'node_modules', 'dkfds', 'src');
const python = process.env.PYTHON || join(root, '.venv', 'bin', 'python');

// ---------------------------------------------------------------------------------------------------------------
// Which classes a citizen page can carry: every word of the templates citizens see (class names are among them, the
// ones a macro puts together too: 'form-limit', 'button-secondary'), of our citizen stylesheets and of app.js.
// Staff-only folders are left out; components/ and errors/ serve both.
const citizenSources = [
  'templates/base.html',
  'templates/components',
  'templates/errors',
  'templates/meetings',
  'templates/privacy',
  'templates/questionnaire',
  'templates/site',
  'assets/scss/app.scss',
  'assets/scss/parts/_citizen.scss',
  'assets/scss/parts/_meetings.scss',
  'assets/scss/parts/_rtl.scss',
  'assets/js/app.js',
];
// Classes made from pieces that do not appear whole: components/messages.html builds alert-{error,success,info}.
const citizenExtra = ['alert-info'];

function filesUnder(path) {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full).flatMap((name) => filesUnder(join(path, name)));
}

function citizenWords() {
  const words = new Set(citizenExtra);
  for (const file of citizenSources.flatMap(filesUnder)) {
    for (const word of readFileSync(file, 'utf8').match(/[A-Za-z_][\w-]*/g) ?? []) words.add(word);
  }
  return words;
}

// ---------------------------------------------------------------------------------------------------------------
// Splitting compiled CSS rule by rule (PostCSS parses it). A style rule's selectors are kept for the citizen pages
// when every class they require is a citizen word (classes inside :not(…) require nothing); the others go to
// staff.css. @media and @supports are split inside; other at-rules (@keyframes, @font-face) and comments stay with
// the citizen pages.

function requiredClasses(selector) {
  let plain = selector.replace(/\[[^\]]*\]/g, '');
  while (/:not\([^()]*\)/.test(plain)) plain = plain.replace(/:not\([^()]*\)/g, '');
  return [...plain.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((m) => m[1]);
}

function splitInto(container, citizen, staff, words) {
  container.each((node) => {
    if (node.type === 'atrule' && (node.name === 'media' || node.name === 'supports')) {
      const inCitizen = node.clone({ nodes: [] });
      const inStaff = node.clone({ nodes: [] });
      splitInto(node, inCitizen, inStaff, words);
      if (inCitizen.nodes.length) citizen.append(inCitizen);
      if (inStaff.nodes.length) staff.append(inStaff);
    } else if (node.type === 'rule') {
      const kept = node.selectors.filter((s) => requiredClasses(s).every((name) => words.has(name)));
      const moved = node.selectors.filter((s) => !kept.includes(s));
      if (kept.length) citizen.append(node.clone({ selectors: kept }));
      if (moved.length) staff.append(node.clone({ selectors: moved }));
    } else {
      citizen.append(node.clone());
    }
  });
}

function splitCss(css, words) {
  const citizen = postcss.root();
  const staff = postcss.root();
  splitInto(postcss.parse(css), citizen, staff, words);
  return { citizen: citizen.toString(), staff: staff.toString() };
}

// ---------------------------------------------------------------------------------------------------------------
// Fonts: the characters of every text a page can show (the catalogues in every language, the templates, the demo's
// policies and questionnaires), printable ASCII (names, e-mail addresses) and the Danish letters in both cases.
// The right-to-left test language's Arabic letters are not in IBM Plex Sans: they fall back to a system font, as
// any character outside the subset does (unicode-range tells the browser which characters the file has).

function textCharacters(stylesheets) {
  const sources = [
    ...readdirSync(join(root, 'translations'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `translations/${entry.name}/LC_MESSAGES/messages.po`),
    'templates',
    'data/policies',
    'data/questionnaires',
  ];
  const codes = new Set();
  for (let c = 0x20; c <= 0x7e; c++) codes.add(c);
  for (const c of 'æøåÆØÅ\u00a0•') codes.add(c.codePointAt(0)); // no-break space; a list's marker is the font's bullet
  // what the stylesheets write themselves (content: "…"), as characters or as CSS escapes
  for (const css of stylesheets) {
    for (const c of css) if (c.codePointAt(0) >= 0xa0) codes.add(c.codePointAt(0));
    for (const [, hex] of css.matchAll(/\\([0-9a-fA-F]{2,6})/g)) codes.add(parseInt(hex, 16));
  }
  for (const file of sources.flatMap(filesUnder).filter((f) => /\.(po|html|txt|ya?ml)$/.test(f))) {
    for (const c of readFileSync(file, 'utf8')) {
      const code = c.codePointAt(0);
      // letters, punctuation and symbols of Latin scripts and general punctuation; no emoji, no control characters
      if (code >= 0xa0 && code < 0x2400) codes.add(code);
    }
  }
  return [...codes].sort((a, b) => a - b);
}

function unicodeRange(codes) {
  const ranges = [];
  for (const code of codes) {
    const last = ranges.at(-1);
    if (last && code === last[1] + 1) last[1] = code;
    else ranges.push([code, code]);
  }
  const hex = (n) => n.toString(16).toUpperCase().padStart(4, '0');
  return ranges.map(([a, b]) => (a === b ? `U+${hex(a)}` : `U+${hex(a)}-${hex(b)}`)).join(',');
}

// Regular and semibold only: DKFDS's medium (500) and bold (700) map onto them by the weight ranges.
const fonts = [
  { file: 'IBMPlexSans-Regular', weight: '400 500' },
  { file: 'IBMPlexSans-SemiBold', weight: '600 700' },
];

function subsetFonts(range) {
  const source = join(dkfds, 'fonts', 'IBMPlexSans', 'complete', 'woff2');
  const rules = [];
  for (const { file, weight } of fonts) {
    execFileSync(python, [
      '-m',
      'fontTools.subset',
      join(source, `${file}.woff2`),
      `--unicodes=${range}`,
      '--flavor=woff2',
      '--layout-features=kern', // no ligatures: the Latin-1 files we had set 'fi' as two letters too
      '--no-hinting', // phones' renderers ignore TrueType hinting; it was a third of the file
      '--desubroutinize',
      `--output-file=${join(dist, 'fonts', `${file}.woff2`)}`,
    ]);
    // swap: the text is painted at once in the fallback face and changes face when the file arrives (optional would
    // hide it for up to 100 ms, then keep the fallback for the whole first page on a slow line)
    rules.push(
      `@font-face{font-family:"IBM Plex Sans";font-style:normal;font-weight:${weight};font-display:swap;` +
        `src:url("fonts/${file}.woff2") format("woff2");unicode-range:${range}}`,
    );
  }
  return rules.join('');
}

// ---------------------------------------------------------------------------------------------------------------
// The favicon: a white speech bubble on the DKFDS primary blue, as SVG (the <link> in base.html) and as a 32×32 ICO
// drawn from the same shapes (/favicon.ico, for browsers that ask for it whatever the page says).
const BLUE = [0x00, 0x59, 0xb3];
const faviconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="6" fill="#0059b3"/>' +
  '<path d="M7 8h18v13H15l-5 4v-4H7z" fill="#fff"/></svg>\n';

function faviconIco() {
  const size = 32;
  const inCorner = (x, y) => {
    const r = 6;
    const cx = x < r ? r : x >= size - r ? size - r - 1 : x;
    const cy = y < r ? r : y >= size - r ? size - r - 1 : y;
    return (x - cx) ** 2 + (y - cy) ** 2 > r * r;
  };
  const white = (x, y) => (x >= 7 && x < 25 && y >= 8 && y < 21) || (y >= 21 && y < 25 && x >= 10 && x < 15 - ((y - 21) * 5) / 4);
  const pixels = Buffer.alloc(size * size * 4);
  for (let row = 0; row < size; row++) {
    const y = size - 1 - row; // BMP rows go bottom-up
    for (let x = 0; x < size; x++) {
      const at = (row * size + x) * 4;
      const [r, g, b] = white(x, y) ? [255, 255, 255] : BLUE;
      pixels.set([b, g, r, inCorner(x, y) ? 0 : 255], at); // BGRA
    }
  }
  const mask = Buffer.alloc((size * size) / 8); // all shown: the alpha channel decides
  const header = Buffer.alloc(6 + 16 + 40);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(40 + pixels.length + mask.length, 14);
  header.writeUInt32LE(22, 18); // where the image starts
  header.writeUInt32LE(40, 22); // BITMAPINFOHEADER
  header.writeInt32LE(size, 26);
  header.writeInt32LE(size * 2, 30); // the image and its mask
  header.writeUInt16LE(1, 34);
  header.writeUInt16LE(32, 36);
  return Buffer.concat([header, pixels, mask]);
}

// ---------------------------------------------------------------------------------------------------------------
// Fingerprints
const manifest = {};

function fingerprint(path, keepPlain = false) {
  // gives `path` its fingerprinted name (a copy when the plain name is kept too) and records it
  const body = readFileSync(path);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const ext = extname(path);
  const hashed = join(dirname(path), `${basename(path, ext)}.${hash}${ext}`);
  (keepPlain ? copyFileSync : renameSync)(path, hashed);
  const name = relative(dist, path).split('\\').join('/');
  manifest[name] = relative(dist, hashed).split('\\').join('/');
  return manifest[name];
}

function pointAtFingerprints(css) {
  // url("fonts/x.woff2") → url("fonts/x.<hash>.woff2"); a url to a file we do not ship stops the build
  return css.replace(/url\("?([^")]+)"?\)/g, (whole, url) => {
    if (url.startsWith('data:')) return whole;
    if (!manifest[url]) throw new Error(`a stylesheet refers to ${url}, which the build does not make`);
    return `url("${manifest[url]}")`;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Sass marks compressed CSS with non-ASCII characters by a byte-order mark; the pieces are joined, so each loses it
// and a whole stylesheet gets one (see write below)
const BOM = '\ufeff';
const compile = (name) =>
  sass
    .compile(join(root, 'assets', 'scss', `${name}.scss`), {
      style: 'compressed',
      sourceMap: false,
      loadPaths: [join(root, 'node_modules')],
      quietDeps: true, // DKFDS's own deprecation warnings are not ours to fix
    })
    .css.replaceAll(BOM, '');

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'fonts'), { recursive: true });
mkdirSync(join(dist, 'img'), { recursive: true });

const compiled = { dkfds: compile('dkfds'), app: compile('app'), staff: compile('staff') };
const range = unicodeRange(textCharacters(Object.values(compiled)));
const fontFaces = subsetFonts(range);
const { citizen, staff } = splitCss(compiled.dkfds, citizenWords());
const stylesheets = { app: citizen + fontFaces + compiled.app, staff: staff + compiled.staff };

// the images the stylesheets refer to, all DKFDS's; a reference to any other fails the build (pointAtFingerprints)
const wanted = new Set(
  Object.values(stylesheets).flatMap((css) => [...css.matchAll(/url\("?img\/([^")]+)"?\)/g)].map((m) => m[1])),
);
for (const icon of wanted) {
  const from = [join(dkfds, 'img', 'svg-icons', icon), join(dkfds, 'img', icon)].find(existsSync);
  if (from) copyFileSync(from, join(dist, 'img', icon));
}
for (const file of readdirSync(join(dist, 'fonts'))) fingerprint(join(dist, 'fonts', file));
for (const file of readdirSync(join(dist, 'img'))) fingerprint(join(dist, 'img', file));

for (const [name, css] of Object.entries(stylesheets)) {
  const text = pointAtFingerprints(css);
  writeFileSync(join(dist, `${name}.css`), (/[^\x00-\x7f]/.test(text) ? BOM : '') + text + '\n');
  fingerprint(join(dist, `${name}.css`), true);
}
copyFileSync(join(root, 'assets', 'js', 'app.js'), join(dist, 'app.js'));
fingerprint(join(dist, 'app.js'), true);
writeFileSync(join(dist, 'favicon.svg'), faviconSvg);
fingerprint(join(dist, 'favicon.svg'), true);
writeFileSync(join(dist, 'favicon.ico'), faviconIco()); // asked for by its plain name only

writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
execFileSync(python, ['-m', 'whitenoise.compress', '--quiet', dist]);

console.log(`built ${dist}: ${Object.values(manifest).join(', ')}, favicon.ico; compressed (.gz, .br)`);
