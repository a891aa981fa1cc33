"""The PyTorch column of the proof: one TF1 pipeline and its :class:`modern.torch.TF1RNN`.

The same three checks :mod:`tools.proof.harness` runs for Keras, against the same
(cached) legacy graphs of :func:`tools.proof.pipelines.build_legacy_graph`, at the
tolerances :data:`tools.proof.tolerances.TORCH`:

* :func:`compare_forward`: same random weights, same inputs; every output;
* :func:`compare_gradients`: gradients of a random linear probe of all outputs w.r.t. the
  inputs and every weight (torch gradients mapped back to TF1 names by the module's own
  weight map, ``forget_bias`` left out since it is an additive constant);
* :func:`compare_training`: SGD from the same weights on the same batches; both loss
  curves (:class:`tools.proof.harness.Trajectories`; its ``keras`` field holds torch's).

torch is imported on first use (an optional extra).
"""
import numpy as np

from tools.proof import harness, pipelines
from tools.proof.report import EquivalenceReport, compare
from tools.proof.tolerances import TORCH, TRAINING_STEPS

__all__ = ["module_of", "torch_outputs", "compare_forward", "compare_gradients",
           "compare_training", "excused_checks"]


def excused_checks(spec):
    """``{check: limitation}`` of the torch column's limitations that ``spec`` runs into
    (:data:`tools.proof.limitations.TORCH_LIMITATIONS`)."""
    import modern.torch
    from tools.proof import limitations

    excused = {}
    if any(modern.torch.torch_target(c) == "TF1LayerNormBasicLSTMCell" and c.layer_norm
           for c in spec.cells):
        limitation = limitations.TORCH_LAYER_NORM_GRADIENTS
        excused.update({check: limitation for check in limitation.skips})
    return excused


def module_of(legacy, values):
    """The :class:`modern.torch.TF1RNN` of ``legacy.spec`` holding ``values`` (TF1 full
    names), which the legacy graph gets too."""
    import modern.torch

    legacy.set_values(values)
    rnn, readout = pipelines.tf1_values_for_keras(legacy, values)
    as32 = {k: np.asarray(v, np.float32) for k, v in rnn.items()}
    readout = None if readout is None else tuple(np.asarray(a, np.float32) for a in readout)
    return modern.torch.TF1RNN(legacy.spec).load_tf1_weights(as32, readout)


def _tensors(spec, x, sequence_length):
    import torch

    lengths = torch.as_tensor(np.asarray(sequence_length, np.int64)) if spec.masked else None
    return torch.as_tensor(np.asarray(x, np.float32)), lengths


def torch_outputs(module, x, sequence_length=None):
    """``module``'s outputs on numpy inputs, as numpy arrays."""
    import torch

    with torch.no_grad():
        got = module(*_tensors(module.spec, x, sequence_length))
    return {k: v.numpy() for k, v in got.items()}


def compare_forward(spec, runner, *, steps, batch, seed) -> EquivalenceReport:
    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner)
    module = module_of(legacy, legacy.random_values(rng))
    x, lengths = harness.random_inputs(spec, steps, batch, rng)
    return compare(legacy.run(legacy.outputs, x, lengths), torch_outputs(module, x, lengths),
                   atol=TORCH.outputs, title=f"torch outputs of {spec}")


def compare_gradients(spec, runner, *, steps, batch, seed) -> EquivalenceReport:
    """Gradients w.r.t. the inputs and every weight, TF1 graph vs torch autograd."""
    import torch

    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner, gradients=True)
    module = module_of(legacy, legacy.random_values(rng))
    x, lengths = harness.random_inputs(spec, steps, batch, rng)
    probes = harness._probe_weights(legacy, batch, rng)
    feed = {legacy.probes[k]: v.astype(np.float32) for k, v in probes.items()}
    legacy_by_name = dict(zip(legacy.gradient_names,
                              legacy.run(legacy.gradients, x, lengths, extra_feed=feed)))

    x_tensor, length_tensor = _tensors(spec, x, lengths)
    x_tensor.requires_grad_(True)
    module.zero_grad()
    out = module(x_tensor, length_tensor)
    total = sum((out[k] * torch.as_tensor(v.astype(np.float32))).sum() for k, v in probes.items())
    total.backward()
    grads = {name: p.grad.numpy() for name, p in module.named_parameters() if p.grad is not None}
    tf1_rnn, readout = module.tf1_weights(grads, fold_forget_bias=False)
    scope = pipelines.RUNNER_SCOPES[runner] + "/"
    torch_by_name = {"x": x_tensor.grad.numpy()}
    torch_by_name.update({scope + k: v for k, v in tf1_rnn.items()})
    if readout is not None:
        torch_by_name[pipelines.READOUT_WEIGHTS], torch_by_name[pipelines.READOUT_BIASES] = readout
    return compare(legacy_by_name, torch_by_name, atol=TORCH.gradients,
                   title=f"torch gradients of {spec}")


def compare_training(spec, runner, *, steps, batch, seed, learning_rate,
                     train_steps=TRAINING_STEPS) -> "harness.Trajectories":
    """SGD in both (TF1's GradientDescentOptimizer, torch.optim.SGD) from the same weights
    on the same random batches; the two loss curves."""
    import torch

    if spec.num_classes is None:
        raise ValueError("compare_training needs a readout: build the spec with num_classes")
    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner, training=True)
    labels, lr, loss, train_op, reset = legacy.training["sgd"]
    module = module_of(legacy, legacy.random_values(rng))
    legacy.session.run(reset)
    optimizer = torch.optim.SGD([p for p in module.parameters() if p.requires_grad],
                                lr=learning_rate)
    legacy_losses, torch_losses = [], []
    for _ in range(train_steps):
        x, lengths = harness.random_inputs(spec, steps, batch, rng)
        y = np.eye(spec.num_classes)[rng.integers(0, spec.num_classes, size=batch)]
        value, _ = legacy.run([loss, train_op], x, lengths,
                              extra_feed={labels: y.astype(np.float32), lr: learning_rate})
        legacy_losses.append(float(value))
        optimizer.zero_grad()
        logits = module(*_tensors(spec, x, lengths))["logits"]
        step_loss = torch.mean(-torch.sum(torch.as_tensor(y, dtype=torch.float32)
                                          * torch.log_softmax(logits, -1), -1))
        step_loss.backward()
        optimizer.step()
        torch_losses.append(step_loss.item())
    return harness.Trajectories(legacy_losses, torch_losses)
