"""Stage 3, the core: load a handbook folder (source + parts), check it, write its consistency report, and render
its pages (inserts expanded, anchors shared between languages). Knows the parts only through parts.registry."""
