"""Import and export of a whole project, as ccpm markdown or as a JSON bundle.

An import runs read -> plan -> write; an export reads the project and writes it out:

- ``routes`` (HTTP) and ``service`` (what the API and the CLI call) at the edges;
- ``read/``: an upload or a folder to specs (``read.upload`` is the one reader);
- ``plan/``: the pure planner, what an import creates, updates or refuses;
- ``repository`` reads the whole project; ``write/`` applies a plan in bulk;
- ``export/``: the JSON bundle, and the project as ccpm documents and a tar.gz;
- ``schemas`` (Pydantic shapes), ``models`` (SQLAlchemy tables), ``errors`` (422/409 naming
  the file and line).
"""
