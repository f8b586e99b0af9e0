"""Stage 1, the source: reading handbook files (every problem with its file and line), the core schema (edition,
navigation), pages, headings, insert lines, and the generator's own words. Knows no optional part."""
