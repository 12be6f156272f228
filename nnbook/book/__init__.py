"""The machinery that builds and checks the book; no notebook imports it.

    sphinx_ext  Sphinx extension listed in _config.yml (page language, offline Korean web font)
    execute     re-executes notebooks in place (`make execute`)
    sizes       notebook and page sizes against their budgets (`make book` prints them)
    glossary    the glossary (glossary.yml beside it): the page chapters/glossary.md and the term checks
"""
