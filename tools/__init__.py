"""tools: the proof that a TF1 RNN and its Keras 3 port are the same model.

* :mod:`tools.proof.registry`: the registry of migration pairs (the one source of truth);
* :mod:`tools.proof.limitations`: the known non-equivalences, each with a demonstration;
* :mod:`tools.proof.pipelines`: the TF1 side of a pair, a legacy_compat graph of an ``RNNSpec``;
* :mod:`tools.proof.harness`: outputs, gradients and training trajectories compared.

``tools`` reads both worlds (``legacy_compat`` and ``modern``); neither of them imports
``tools``.
"""
