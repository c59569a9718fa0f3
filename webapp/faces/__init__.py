"""The faces: pages, the phone's API, the field shell, the public portal, reports, the command line and the demo.
Thin: they parse a request, call the stages, and render. Nothing in `stages`, `core` or `domain` imports them."""
