"""Pure rules: no I/O, no framework, stdlib only. Everything else may import this; it imports nothing of ours."""
