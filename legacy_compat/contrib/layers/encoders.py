"""``tf.contrib.layers.embed_sequence``, as TF 1.15's ``contrib/layers/python/layers/encoders.py``.

``embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None,
regularizer=None, trainable=True, scope=None, reuse=None)`` creates the model variable
``<scope>/embeddings`` [vocab_size, embed_dim] in ``variable_scope(scope,
default_name='EmbedSequence', reuse=reuse)`` (``initializer`` None: the variable scope's,
glorot_uniform by default; ``regularizer`` through ``get_variable``) and returns
``tf.nn.embedding_lookup(embeddings, ids)``, shape ``ids.shape + [embed_dim]``.
``unique=True`` looks each distinct id up once (``tf.unique``) and gathers the rows back
(TF1's ``embedding_lookup_unique``): the same values. Without ``reuse``, ``vocab_size``
and ``embed_dim`` are required (ValueError, as in TF1).
"""
import tensorflow as tf

from legacy_compat.contrib.layers.layers import model_variable

_v1 = tf.compat.v1

__all__ = ["embed_sequence"]


def _embedding_lookup_unique(params, ids):
    """TF1 contrib's ``embedding_lookup_unique`` for one (unpartitioned) ``params``."""
    with _v1.name_scope(None, "EmbeddingLookupUnique", [params, ids]):
        ids = tf.convert_to_tensor(ids)
        shape = tf.shape(ids)
        ids_flat = tf.reshape(ids, tf.reduce_prod(shape, keepdims=True))
        unique_ids, idx = tf.unique(ids_flat)
        unique_embeddings = _v1.nn.embedding_lookup(params, unique_ids)
        embeds_flat = tf.gather(unique_embeddings, idx)
        embed_shape = tf.concat([shape, tf.shape(unique_embeddings)[1:]], 0)
        embeds = tf.reshape(embeds_flat, embed_shape)
        embeds.set_shape(ids.shape.concatenate(unique_embeddings.shape[1:]))
        return embeds


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None,
                   regularizer=None, trainable=True, scope=None, reuse=None):
    """TF1's ``tf.contrib.layers.embed_sequence`` (see the module docstring)."""
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError(
            "embed_sequence: must specify vocab_size and embed_dim when not reusing. Got "
            f"vocab_size={vocab_size!r} and embed_dim={embed_dim!r}."
        )
    with _v1.variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = [vocab_size, embed_dim]
        if reuse and vocab_size is None or embed_dim is None:  # TF1's precedence
            shape = None
        embeddings = model_variable("embeddings", shape=shape, initializer=initializer,
                                    regularizer=regularizer, trainable=trainable)
        if unique:
            return _embedding_lookup_unique(embeddings, ids)
        return _v1.nn.embedding_lookup(embeddings, ids)
