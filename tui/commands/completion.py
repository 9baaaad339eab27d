"""``adl-sandbox completion bash|zsh|fish``: print the shell's completion script.

The script is generated from this very command line's parser, so it offers every
subcommand and flag there is, and nothing that is gone. To use it:

  bash   source <(adl-sandbox completion bash)        (in ~/.bashrc)
  zsh    source <(adl-sandbox completion zsh)         (in ~/.zshrc, after compinit)
  fish   adl-sandbox completion fish > ~/.config/fish/completions/adl-sandbox.fish
"""

from __future__ import annotations

import argparse

from tui.arguments import HelpText, described

SHELLS = ("bash", "zsh", "fish")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description=described(__doc__),
        formatter_class=HelpText,
    )
    parser.add_argument("shell", choices=sorted(SHELLS), help="the shell to complete in")


def run(args: argparse.Namespace) -> int:
    """``args.parser`` is the whole command line's parser (``tui/cli.py`` sets it)."""
    from tui.completion.bash import bash_script
    from tui.completion.fish import fish_script
    from tui.completion.tree import command_tree
    from tui.completion.zsh import zsh_script

    script = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell]
    print(script(command_tree(args.parser)), end="")
    return 0
