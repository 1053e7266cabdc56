import os
import sys

from bot.cli import main

try:
    sys.exit(main())
except BrokenPipeError:
    # The reader went away (``python -m bot ask ... | head``): not an error of ours. Point stdout
    # at devnull so the interpreter's final flush does not raise again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(141)  # 128 + SIGPIPE, as a shell reports it
