"""Stage 2, the optional parts of a handbook. Each module is one part: the schema of its files, its `check` rules,
its consistency-report findings, its inserts (templates in site_templates/pages/), the assets a page holding one of
them needs, and how they print. The core knows them only through `base.Part` and the list in `registry.py`.
Adding a part: one module here with a `PART`, its templates, and one line in registry.py."""
