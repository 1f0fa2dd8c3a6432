"""The presentation layer: how results are shown (chart theme and renderer, one plots module per
chapter, glue, tables, claim pages, the data appendix, templates and static files). May import
every layer below it; the publish layer alone imports it."""
