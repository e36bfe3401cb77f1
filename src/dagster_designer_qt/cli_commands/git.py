"""`dagster-designer git ...`: export a project into a git working copy, commit and push, for scripts.

    dagster-designer git commit PROJECT --repo DIR [--subdir PATH] -m MSG [--push] [--branch B]
    dagster-designer git status --repo DIR [--subdir PATH]
    dagster-designer git clone URL [DIR] [--branch B]

A token for https remotes is read from the DAGSTER_DESIGNER_GIT_TOKEN environment variable (and a username
from DAGSTER_DESIGNER_GIT_USERNAME), never from the command line, where it would land in shell history and
process listings. SSH remotes use the running SSH agent.
"""

from __future__ import annotations

import argparse
import os
import sys

from dagster_designer_qt.services.git_errors import TOKEN_ENV, USERNAME_ENV, Credentials
from dagster_designer_qt.core.terminal import printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "git",
        help="export a project into a git working copy, commit and push",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gsub = p.add_subparsers(dest="git_command", metavar="GIT_COMMAND")
    gsub.required = True

    c = gsub.add_parser("commit", help="export PROJECT into --repo, commit it (and push with --push)")
    c.add_argument("project", help="the project file (.ddp.json)")
    c.add_argument("--repo", required=True, help="the git working copy")
    c.add_argument("--subdir", default=None,
                   help="folder inside the working copy to export into (default: the project's package name; "
                        "'.' for the root)")
    c.add_argument("-m", "--message", required=True, help="the commit message")
    c.add_argument("--push", action="store_true", help="push the branch to the remote afterwards")
    c.add_argument("--branch", default=None,
                   help="switch to this branch first (created from HEAD if it does not exist)")
    c.add_argument("--remote", default="origin", help="the remote to push to (default: origin)")
    c.add_argument("--author-name", default=None, help="commit author name (default: git config user.name)")
    c.add_argument("--author-email", default=None, help="commit author email (default: git config user.email)")

    s = gsub.add_parser("status", help="list uncommitted changes in a working copy")
    s.add_argument("--repo", required=True)
    s.add_argument("--subdir", default=None, help="only changes under this folder")

    k = gsub.add_parser("clone", help="clone a remote into a folder")
    k.add_argument("url")
    k.add_argument("dest", nargs="?", default=None, help="target folder (default: the app's data folder)")
    k.add_argument("--branch", default=None)


def credentials_from_env() -> Credentials | None:
    token = os.environ.get(TOKEN_ENV) or None
    username = os.environ.get(USERNAME_ENV) or None
    if token is None and username is None:
        return None
    return Credentials(username, token)


def run(args: argparse.Namespace) -> int:
    return {"commit": _commit, "status": _status, "clone": _clone}[args.git_command](args)


def _author(args):
    from dagster_designer_qt.core.errors import DesignerError
    from dagster_designer_qt.services.git_service import Author

    if args.author_name is None and args.author_email is None:
        return None
    if not args.author_name or not args.author_email:
        raise DesignerError("give both --author-name and --author-email (or neither, to use git config)")
    return Author(args.author_name, args.author_email)


def _commit(args: argparse.Namespace) -> int:
    from dagster_designer_qt.services import git_service as git
    from dagster_designer_qt.services.project_store import load_project

    project = load_project(args.project)
    author = _author(args)
    repo = git.open_repo(args.repo)
    if args.branch:
        if git.repo_info(repo).branch != args.branch:
            git.switch_branch(repo, args.branch, remote=args.remote, create=True)
    subdir = args.subdir if args.subdir is not None else git.default_subdir(project)
    from dagster_designer_qt.cli_commands.components import component_map

    git.export_project(repo, project, subdir, components=component_map())
    changes = git.status(repo, subdir)
    branch = git.repo_info(repo).branch
    if changes:
        oid = git.commit(repo, args.message, author, paths=[subdir])
        print(printable(f"committed {oid[:10]} on {branch}: {len(changes)} file(s) changed in {subdir or '.'}"))
    else:
        print(printable(f"nothing to commit: {subdir or '.'} already matches the project"))
    if args.push:
        git.push(repo, remote=args.remote, credentials=credentials_from_env(), progress=_progress())
        print(printable(f"pushed {branch} to {args.remote}"))
    return 0


def _status(args: argparse.Namespace) -> int:
    from dagster_designer_qt.services import git_service as git

    repo = git.open_repo(args.repo)
    for change in git.status(repo, args.subdir):
        print(printable(f"{change.kind:<11} {change.path}"))
    return 0


def _clone(args: argparse.Namespace) -> int:
    from dagster_designer_qt.services import git_service as git

    dest = args.dest or git.default_clone_dir(args.url)
    repo = git.clone(args.url, dest, credentials=credentials_from_env(), branch=args.branch, progress=_progress())
    print(printable(repo.path))
    return 0


def _progress():
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int, text: str) -> None:
        if total:
            print(f"\r{text}: {done}/{total}", end="", file=sys.stderr, flush=True)

    return report
