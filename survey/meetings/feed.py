"""The public calendar feed of a policy's upcoming meetings."""
