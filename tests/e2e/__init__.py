"""End to end: the command line in a subprocess, SIGKILL crashes, the demo, a real browser."""
