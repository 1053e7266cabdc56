"""``python -m bot site OUT/`` builds the site; ``python -m bot site --serve`` previews it."""

from __future__ import annotations

import argparse
import functools
import http.server
import tempfile
from pathlib import Path
from typing import Any, TextIO

from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.site.build import SiteError, build_site

DEFAULT_PORT = 8000


def add_parser(commands: Any) -> None:
    """Add the ``site`` subcommand to the CLI's subparsers."""
    site = commands.add_parser("site", help="build the spoiler-safe lore guide as a static website")
    site.add_argument("out", nargs="?", metavar="OUT", help="the folder to write (replaced as a whole on rebuild)")
    site.add_argument("--base-url", metavar="URL", help="where the site will be hosted (canonical links, sitemap.xml)")
    site.add_argument("--knowledge", default=None, metavar="DIR", help="knowledge folder (default: $KNOWLEDGE_DIR or knowledge/)")
    site.add_argument("--serve", action="store_true", help="build to a temporary folder and serve it on 127.0.0.1")
    site.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N", help=f"port for --serve (default {DEFAULT_PORT}; 0: any free port)")


def run(args: argparse.Namespace, knowledge: Path, out: TextIO, err: TextIO) -> int:
    if args.out is None and not args.serve:
        print("give the folder to build into (python -m bot site OUT/), or --serve to preview", file=err)
        return 2
    try:
        kb = load_knowledge(knowledge)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=err)
        return 1
    if not args.serve:
        try:
            built = build_site(kb, Path(args.out), base_url=args.base_url)
        except (SiteError, OSError) as error:
            print(f"cannot build the site: {error}", file=err)
            return 1
        print(f"built {built.pages} pages in {built.trees} trees into {built.folder}/ (open {built.folder}/index.html)", file=out)
        return 0
    with tempfile.TemporaryDirectory(prefix="lore-site-") as temporary:
        folder = Path(args.out) if args.out else Path(temporary) / "site"
        build_site(kb, folder, base_url=args.base_url)
        return serve(folder, args.port, out)


def make_server(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``folder`` on the loopback interface (port 0: any free port)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(folder: Path, port: int, out: TextIO) -> int:
    """Serve ``folder`` on the loopback interface until interrupted."""
    with make_server(folder, port) as server:
        print(f"serving the lore guide at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", file=out, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass
