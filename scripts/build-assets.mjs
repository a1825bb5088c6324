// Builds survey/static/dist/ from assets/: app.css (every page: DKFDS subset and the citizen pages' rules),
// staff.css (staff pages only, loaded after app.css), both compressed without source map; the IBM Plex Sans
// files app.css refers to, and app.js. Run with `npm run build`.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'survey', 'static', 'dist');
const dkfds = join(root, 'node_modules', 'dkfds', 'src');
const dkfdsFonts = join(dkfds, 'fonts', 'IBMPlexSans', 'split', 'woff2');

// Only the weights app.scss declares (400 and 600), Latin-1 subset.
const fonts = ['IBMPlexSans-Regular-Latin1.woff2', 'IBMPlexSans-SemiBold-Latin1.woff2'];
// The only images app.css refers to: the ticks of a checked and a "mixed" DKFDS checkbox.
const icons = ['check-white.svg', 'minus-white.svg', 'chevron-down.svg'];

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'fonts'), { recursive: true });
mkdirSync(join(dist, 'img'), { recursive: true });

const stylesheets = ['app', 'staff'];
for (const name of stylesheets) {
  const css = sass.compile(join(root, 'assets', 'scss', `${name}.scss`), {
    style: 'compressed',
    sourceMap: false,
    loadPaths: [join(root, 'node_modules')],
    quietDeps: true, // DKFDS's own deprecation warnings are not ours to fix
  });
  writeFileSync(join(dist, `${name}.css`), css.css + '\n');
}

for (const font of fonts) {
  copyFileSync(join(dkfdsFonts, font), join(dist, 'fonts', font));
}
for (const icon of icons) {
  copyFileSync(join(dkfds, 'img', 'svg-icons', icon), join(dist, 'img', icon));
}
copyFileSync(join(root, 'assets', 'js', 'app.js'), join(dist, 'app.js'));

console.log(`built ${dist}: ${stylesheets.map((s) => `${s}.css`).join(', ')}, app.js, fonts/${fonts.join(', fonts/')}, img/${icons.join(', img/')}`);
