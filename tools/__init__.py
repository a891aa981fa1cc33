"""tools: the proof that a TF1 RNN and its Keras 3 port are the same model, and the tools
built on it. One package per concern:

* :mod:`tools.proof`: the registry of migration pairs (the one source of truth), the known
  non-equivalences, the TF1 side of a pair, the equivalence harness, the one report type,
  every tolerance, and real training for accuracy;
* :mod:`tools.testing`: the public testing API (assertions, hypothesis strategies, the
  pytest plugin ``rnn_migrate``; ``tools.strategies`` and ``tools.pytest_plugin`` are
  the same modules under their published names);
* :mod:`tools.porter`: ``rnn-migrate port``, static analysis of TF1 programs (the shared
  engine: files, notebooks, Python 2, reports; :mod:`tools.porter.compat` rewrites onto
  legacy_compat, :mod:`tools.porter.keras` recognises the pipeline and writes Keras 3);
* :mod:`tools.convert`: TF1 checkpoints <-> verified ``.keras`` files;
* :mod:`tools.demo`: the side-by-side training demo and its bundled tutorial;
* :mod:`tools.docs`: reference documents generated from the registry;
* :mod:`tools.cli`: the ``rnn-migrate`` command, one module per subcommand.

``tools`` reads both worlds (``legacy_compat`` and ``modern``); neither of them imports
``tools``.
"""
