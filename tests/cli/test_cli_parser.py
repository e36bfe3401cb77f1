"""The command line builds only the parser of the command it runs (a start of the app imports one
subcommand module, not eleven: issue 13); what a user reads (help, usage errors) is the same as from the
whole parser, and the top-level help still lists every command."""

import pytest

from dagster_designer_qt.cli import SUBCOMMANDS, build_parser, main


def _output(parser, argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(argv)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_one_command_parser_reads_like_the_whole_one(command, capsys):
    whole, alone = build_parser(), build_parser(only=command)
    assert _output(alone, [command, "--help"], capsys) == _output(whole, [command, "--help"], capsys)
    bad = [command, "--no-such-option"]
    code, _, err = _output(alone, bad, capsys)
    assert (code, err) == _output(whole, bad, capsys)[::2] and code == 2 and "error:" in err


def test_one_command_parser_parses_like_the_whole_one():
    assert list(build_parser(only="gui")._subparsers._group_actions[0].choices) == ["gui"]
    argv = ["validate", "p.ddp.json", "--load", "--python", "/opt/py/bin/python"]
    assert vars(build_parser(only="validate").parse_args(argv)) == vars(build_parser().parse_args(argv))
    assert vars(build_parser(only="gui").parse_args(["gui", "a.ddp.json"])) == {"command": "gui",
                                                                                "project": "a.ddp.json"}


def test_top_level_help_and_version_list_every_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(command in out for command in SUBCOMMANDS)
    assert "Help on one command: dagster-designer COMMAND --help" in out
    unknown = build_parser(only="no-such-command")  # not a command: the whole parser
    assert set(unknown._subparsers._group_actions[0].choices) == set(SUBCOMMANDS)
