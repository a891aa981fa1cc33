"""The proof that a TF1 RNN pipeline and its Keras 3 model compute the same thing.

* :mod:`tools.proof.registry`: the migration pairs, each with its Keras side as data;
* :mod:`tools.proof.limitations`: the known non-equivalences, each with a demonstration;
* :mod:`tools.proof.pipelines`: the TF1 side, a legacy_compat graph of an ``RNNSpec``;
* :mod:`tools.proof.harness`: outputs, gradients and training trajectories compared;
* :mod:`tools.proof.report`: the one report type, :class:`EquivalenceReport`;
* :mod:`tools.proof.tolerances`: every threshold with its reason, and the training settings;
* :mod:`tools.proof.accuracy`: both sides trained for real on MNIST.
"""
