"""Allow `python -m kbm_map …` as a synonym of the `kbm-map` command."""

from .cli import main

main()
