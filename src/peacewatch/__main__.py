"""``python -m peacewatch``: the same command line as ``peacewatch``."""

from peacewatch.cli import app

if __name__ == "__main__":
    app(prog_name="peacewatch")
