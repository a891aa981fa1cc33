"""``port --to compat``: the minimal edits for a TF1 program to run on legacy_compat.

* :mod:`tools.porter.compat.names`: what to rewrite, read from ``legacy_compat`` itself;
* :mod:`tools.porter.compat.codemods`: the LibCST codemods (imports, module paths);
* :mod:`tools.porter.compat.dropin`: run an unported program with its imports redirected.
"""
