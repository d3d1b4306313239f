"""The web application at /: server-rendered pages in the reader's language (docs/web.md)."""
