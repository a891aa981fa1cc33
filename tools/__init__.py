"""tools: the proof that a TF1 RNN and its Keras 3 port are the same model.

* :mod:`tools.registry`: the registry of migration pairs (the one source of truth);
* :mod:`tools.limitations`: the known non-equivalences, each with a demonstration;
* :mod:`tools.pipelines`: the TF1 side of a pair, a legacy_compat graph of an ``RNNSpec``;
* :mod:`tools.harness`: outputs, gradients and training trajectories compared.

``tools`` reads both worlds (``legacy_compat`` and ``modern``); neither of them imports
``tools``.
"""
