// Material's search worker, with stemming that survives its search-as-you-type wildcards.
// Material adds "*" to every query term and lunr does not stem wildcard terms, so with a stemmed index
// ("suspensión" indexed by its stem) whole words stop matching. Here each wildcard term is also looked up
// once more through the index's own pipeline (the language's stemmer), as an optional clause.
/* global lunr */
importScripts(new URLSearchParams(self.location.search).get("worker"));

lunr.Index.prototype.search = function (queryString) {
  return this.query(function (query) {
    new lunr.QueryParser(queryString, query).parse();
    query.clauses.slice().forEach(function (clause) {
      if (clause.usePipeline === false && /\*$/.test(clause.term) && clause.presence !== lunr.Query.presence.PROHIBITED) {
        query.clause({
          term: clause.term.replace(/\*+$/, ""),
          fields: clause.fields,
          boost: clause.boost,
          usePipeline: true,
          wildcard: lunr.Query.wildcard.NONE,
          presence: lunr.Query.presence.OPTIONAL
        });
      }
    });
  });
};
