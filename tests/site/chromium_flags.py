"""The flags both browser tests start Debian's Chromium with: headless, and none of its
background connections, which this machine's closed network refuses."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
