"""TF1's MNIST tutorial reader, without downloads.

Replaces the removed ``tensorflow.examples.tutorials.mnist.input_data`` (the code
of ``tensorflow/contrib/learn/python/learn/datasets/mnist.py``), so tutorials run
with only an import change::

    from legacy_compat.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
    batch_x, batch_y = mnist.train.next_batch(128)

The returned data are TF1's, value for value: the same train/validation/test
split, the same float32 scaling ``uint8 * (1.0 / 255.0)``, the same float64
one-hot labels, and ``next_batch`` follows TF1's algorithm step by step.

Where the data come from: if ``train_dir`` holds the four original IDX files
(``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) they are read;
otherwise the MNIST copy embedded in the package is used (see
``legacy_compat/data/README.md``). Unlike TF1, nothing is ever downloaded and
nothing is written: ``train_dir`` is not created.

The module imports only numpy and the standard library; it neither enables
graph mode nor touches Keras. TensorFlow dtypes (``tf.float32``, ``tf.uint8``)
are accepted without importing TensorFlow.
"""
import collections
import gzip
import numbers
import os
import sys
import zlib

import numpy

from legacy_compat import _mnist_data

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])
Datasets.__doc__ = "The three splits returned by `read_data_sets` (TF1's ``base.Datasets``)."

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
IDX_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
NUM_CLASSES = 10

_FAKE_NUM_EXAMPLES = 10000
_FAKE_IMAGE_SIZE = 784
_BIG_ENDIAN_UINT32 = numpy.dtype(">u4")
_MAXINT32 = 2**31 - 1  # TF1 reduced seeds modulo this (random_seed._truncate_seed).


def _read_exactly(bytestream, num_bytes, what, name):
    """Read ``num_bytes`` from an IDX stream; ValueError naming the file if fewer remain."""
    data = bytestream.read(num_bytes)
    if len(data) != num_bytes:
        raise ValueError(
            f"MNIST file {name} is truncated: expected {num_bytes} bytes of {what}. "
            f"Received: {len(data)} bytes."
        )
    return data


def _read_idx(f, expected_magic, num_dims):
    """Read one gzip-compressed IDX file of uint8 values.

    Returns the array of shape given by its ``num_dims`` big-endian uint32
    dimensions (read-only, as ``numpy.frombuffer`` gives, like TF1's).
    """
    name = getattr(f, "name", repr(f))
    try:
        with gzip.GzipFile(fileobj=f) as bytestream:
            magic = numpy.frombuffer(
                _read_exactly(bytestream, 4, "header", name), _BIG_ENDIAN_UINT32
            )[0]
            if magic != expected_magic:
                raise ValueError(
                    f"Invalid magic number in MNIST file {name}: expected {expected_magic}. "
                    f"Received: {magic}."
                )
            dims = numpy.frombuffer(
                _read_exactly(bytestream, 4 * num_dims, "header", name), _BIG_ENDIAN_UINT32
            )
            shape = tuple(int(d) for d in dims)
            data = _read_exactly(bytestream, int(numpy.prod(shape)), "data", name)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(
            f"MNIST file {name} is truncated or is not a valid gzip file. Received: {error}"
        ) from error
    return numpy.frombuffer(data, dtype=numpy.uint8).reshape(shape)


def extract_images(f):
    """Extract the images of an IDX file into a 4D uint8 array [index, y, x, depth].

    Args:
      f: a binary file object of a gzip-compressed IDX3 file (magic 2051).

    Returns:
      A read-only uint8 array of shape [num_images, rows, cols, 1].

    Raises:
      ValueError: the magic number is not 2051, or the file is truncated or not
        gzip; the message names the file.
    """
    images = _read_idx(f, IMAGE_MAGIC, num_dims=3)
    return images[..., numpy.newaxis]


def dense_to_one_hot(labels_dense, num_classes):
    """Convert class labels from scalars to float64 one-hot vectors, as TF1 did."""
    num_labels = labels_dense.shape[0]
    index_offset = numpy.arange(num_labels) * num_classes
    labels_one_hot = numpy.zeros((num_labels, num_classes))
    labels_one_hot.flat[index_offset + labels_dense.ravel()] = 1
    return labels_one_hot


def extract_labels(f, one_hot=False, num_classes=NUM_CLASSES):
    """Extract the labels of an IDX file.

    Args:
      f: a binary file object of a gzip-compressed IDX1 file (magic 2049).
      one_hot: return float64 one-hot vectors instead of the class numbers.
      num_classes: number of classes for the one-hot encoding.

    Returns:
      A read-only uint8 array [index], or a float64 array [index, num_classes]
      if ``one_hot``.

    Raises:
      ValueError: the magic number is not 2049, or the file is truncated or not
        gzip; the message names the file.
    """
    labels = _read_idx(f, LABEL_MAGIC, num_dims=1)
    if one_hot:
        return dense_to_one_hot(labels, num_classes)
    return labels


def _image_dtype(dtype):
    """Normalise ``dtype`` (TensorFlow or numpy spelling) to numpy uint8 or float32."""
    # A tf.DType (reference dtypes included) maps to numpy through these
    # attributes; anything else is given to numpy as is.
    base = getattr(dtype, "base_dtype", dtype)
    base = getattr(base, "as_numpy_dtype", base)
    try:
        numpy_dtype = None if base is None else numpy.dtype(base)  # numpy reads None as float64
    except TypeError:
        numpy_dtype = None
    if numpy_dtype in (numpy.uint8, numpy.float32):
        return numpy_dtype
    raise TypeError(f"Invalid image dtype: expected uint8 or float32. Received: {dtype!r}")


def _tf_graph_seed():
    """The graph-level seed of TensorFlow's default graph, or None.

    None as well when TensorFlow was not imported (it is not imported here) or
    runs eagerly: TF1 programs set the seed with ``tf.set_random_seed`` in
    graph mode.
    """
    tf = sys.modules.get("tensorflow")
    if tf is None or tf.executing_eagerly():
        return None
    return tf.compat.v1.get_default_graph().seed


def _shuffle_seed(seed):
    """The seed TF1 gave numpy for a DataSet: ``seed``, else the graph-level seed."""
    if seed is None:
        seed = _tf_graph_seed()
        if seed is None:
            return None
    return seed % _MAXINT32


class DataSet:
    """One split of MNIST with TF1's ``next_batch`` iteration.

    Args:
      images: uint8 array [num_examples, rows, cols, 1] (as ``extract_images``
        returns) or [num_examples, rows, cols] (the ``keras.datasets`` layout).
        Ignored when ``fake_data``.
      labels: array whose first dimension is num_examples, returned unchanged
        (class numbers, or one-hot vectors already encoded by the caller).
        Ignored when ``fake_data``.
      fake_data: make a data set of 10000 fake examples for quick tests; only
        ``next_batch(..., fake_data=True)`` gives them.
      one_hot: only used for fake data: make the fake label one-hot.
      dtype: ``float32`` (``tf.float32``, ``numpy.float32`` or ``"float32"``)
        rescales the pixels into [0, 1] as ``images.astype(float32) * (1.0 / 255.0)``;
        ``uint8`` keeps them in [0, 255].
      reshape: flatten each image to a vector: [num_examples, rows * cols].
      seed: seed of this data set's shuffling, for reproducible batches. With
        ``None``, as in TF1, the graph-level seed (``tf.set_random_seed``) is
        used if TensorFlow runs in graph mode and one is set; otherwise fresh
        entropy.

    Shuffling uses a ``numpy.random.RandomState`` owned by this data set. TF1
    instead reseeded numpy's global random generator in the constructor (with
    the seed chosen as above) and shuffled with it; this class deliberately
    leaves numpy's global state alone, so ``numpy.random.seed`` has no effect
    on the batches (in TF1 the constructor overrode it). For a given seed the
    permutations of a data set are the ones TF1 drew (``numpy.random.seed``
    then ``numpy.random.shuffle``), as long as TF1's global generator was not
    used for anything else in between.

    The images are converted and reordered lazily: until ``images`` is read,
    the data set keeps the pixels as given and the order of the current epoch
    as an index, and ``next_batch`` converts only the rows of each batch (the
    same elementwise float32 arithmetic, so the same values bit for bit). TF1
    converted the whole split in the constructor and copied it at each
    shuffle, which on the 55000-image train set is two 172 MB copies before
    the first batch. Reading ``images`` materialises the array of the current
    order, and from then on the data set works as TF1's did. One difference
    remains before that: a batch is a new array, where TF1's was a view into
    the data set's images, so a program that modified a batch in place also
    modified the examples it would draw in later epochs.

    Raises:
      TypeError: ``dtype`` is neither uint8 nor float32.
      ValueError: ``images`` and ``labels`` differ in length, or ``images``
        has a shape that ``reshape`` cannot flatten.
    """

    def __init__(
        self,
        images,
        labels,
        fake_data=False,
        one_hot=False,
        dtype=numpy.float32,
        reshape=True,
        seed=None,
    ):
        dtype = _image_dtype(dtype)
        self._rng = numpy.random.RandomState(_shuffle_seed(seed))
        self._one_hot = one_hot
        if fake_data:
            self._num_examples = _FAKE_NUM_EXAMPLES
        else:
            images = numpy.asarray(images)
            labels = numpy.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise ValueError(
                    "images and labels must have the same number of examples. "
                    f"Received: images.shape={images.shape}, labels.shape={labels.shape}."
                )
            self._num_examples = images.shape[0]
            if reshape:
                if not (images.ndim == 3 or (images.ndim == 4 and images.shape[3] == 1)):
                    raise ValueError(
                        "reshape=True needs images of shape [num_examples, rows, cols, 1] "
                        f"or [num_examples, rows, cols]. Received: images.shape={images.shape}."
                    )
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        # the images: materialised (`_images`), or lazily `_convert(_source[_order])`
        # (`_order` None: the source order), see the class docstring
        self._images = None
        self._source = images
        self._order = None
        self._scale = not fake_data and dtype == numpy.float32
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    def _convert(self, images):
        """TF1's conversion from [0, 255] to [0.0, 1.0] for float32 data sets:
        float32(pixel) * (1.0 / 255.0) in float32, elementwise; uint8 unchanged."""
        if not self._scale:
            return images
        images = images.astype(numpy.float32)  # a new array: scaled in place
        numpy.multiply(images, 1.0 / 255.0, out=images)
        return images

    def _rows(self, start, end=None):
        """The images ``start:end`` of the current order (a view once materialised)."""
        if self._images is not None:
            return self._images[start:end]
        if self._order is None:  # unscaled: a view of the given array, as in TF1
            return self._convert(self._source[start:end])
        return self._convert(self._source[self._order[start:end]])

    @property
    def images(self):
        """The images, in the order of the current epoch once shuffling started."""
        if self._images is None:
            source = self._source if self._order is None else self._source[self._order]
            self._images = self._convert(source)
            self._source = self._order = None
        return self._images

    @property
    def labels(self):
        """The labels, in the same order as `images`."""
        return self._labels

    @property
    def num_examples(self):
        """The number of examples (10000 for fake data)."""
        return self._num_examples

    @property
    def epochs_completed(self):
        """How many times `next_batch` has crossed the end of the data."""
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Return the next ``batch_size`` examples, as TF1 did.

        With ``shuffle`` the data are permuted at the start of the first epoch
        and at the start of every later one. A batch that crosses the end of
        an epoch is the rest of that epoch followed by the first examples of
        the next; ``epochs_completed`` increments when that happens (or on
        the call after a batch that ended exactly at the end of the epoch).

        Args:
          batch_size: number of examples, 1 to ``num_examples``.
          fake_data: return ``batch_size`` copies of a fake example: a list of
            784 ones and the label 0 (or ``[1, 0, ..., 0]`` for a one-hot fake
            data set), as Python lists.
          shuffle: permute the data at each epoch start; ``False`` iterates
            in the stored order.

        Returns:
          A tuple ``(images, labels)``.

        Raises:
          ValueError: ``batch_size`` is not between 1 and ``num_examples``
            (TF1 silently returned short or inconsistent batches).
        """
        if fake_data:
            fake_image = [1] * _FAKE_IMAGE_SIZE
            fake_label = [1] + [0] * (NUM_CLASSES - 1) if self._one_hot else 0
            return (
                [fake_image for _ in range(batch_size)],
                [fake_label for _ in range(batch_size)],
            )
        if not 1 <= batch_size <= self._num_examples:
            raise ValueError(
                f"batch_size must be between 1 and num_examples={self._num_examples}. "
                f"Received: batch_size={batch_size}."
            )
        start = self._index_in_epoch
        # Shuffle for the first epoch.
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._permute()
        if start + batch_size > self._num_examples:
            # Finished epoch: take the rest of it, then start the next one.
            self._epochs_completed += 1
            rest_num_examples = self._num_examples - start
            images_rest_part = self._rows(start)
            labels_rest_part = self._labels[start:]
            if shuffle:
                self._permute()
            self._index_in_epoch = batch_size - rest_num_examples
            end = self._index_in_epoch
            return (
                numpy.concatenate((images_rest_part, self._rows(0, end)), axis=0),
                numpy.concatenate((labels_rest_part, self._labels[:end]), axis=0),
            )
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._rows(start, end), self._labels[start:end]

    def _permute(self):
        """Reorder images and labels by a fresh permutation from this data set's RNG
        (the images only as an index until they are materialised)."""
        perm = numpy.arange(self._num_examples)
        self._rng.shuffle(perm)
        if self._images is not None:
            self._images = self._images[perm]
        else:  # new[i] = current[perm[i]] = source[order[perm[i]]]
            self._order = perm if self._order is None else self._order[perm]
        self._labels = self._labels[perm]


def _read_idx_files(train_dir):
    """Return (train_images, train_labels, test_images, test_labels) from the IDX files."""
    arrays = []
    for name, extract in (
        (TRAIN_IMAGES, extract_images),
        (TRAIN_LABELS, extract_labels),
        (TEST_IMAGES, extract_images),
        (TEST_LABELS, extract_labels),
    ):
        with open(os.path.join(train_dir, name), "rb") as f:
            arrays.append(extract(f))
    return tuple(arrays)


def _load_arrays(train_dir):
    """Read MNIST from ``train_dir``'s IDX files if it has them, else the embedded copy.

    Images come back as uint8 [N, 28, 28, 1] and labels as uint8 [N], the
    layout TF1's extract functions gave.
    """
    train_dir = os.fspath(train_dir)
    present = [name for name in IDX_FILES if os.path.isfile(os.path.join(train_dir, name))]
    if present:
        missing = [name for name in IDX_FILES if name not in present]
        if missing:
            raise FileNotFoundError(
                f"{train_dir!r} holds only some of the four MNIST IDX files. Missing: "
                f"{', '.join(missing)}. Add them, or remove the others to use the MNIST "
                "embedded in legacy_compat (nothing is downloaded)."
            )
        return _read_idx_files(train_dir)
    data = _mnist_data.load_mnist_npz()
    return (
        data["x_train"][..., numpy.newaxis],
        data["y_train"],
        data["x_test"][..., numpy.newaxis],
        data["y_test"],
    )


def read_data_sets(
    train_dir,
    fake_data=False,
    one_hot=False,
    dtype=numpy.float32,
    reshape=True,
    validation_size=5000,
    seed=None,
    source_url=None,
):
    """Return MNIST as ``Datasets(train, validation, test)``, as TF1 did, offline.

    Args:
      train_dir: directory searched for the four original IDX files
        (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
        ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``). If it
        has none of them (or does not exist), the MNIST embedded in
        legacy_compat is used. It is never created nor written to.
      fake_data: return three fake data sets (see `DataSet`) without reading data.
      one_hot: labels as float64 one-hot vectors [N, 10] instead of uint8 [N].
      dtype: ``float32`` (scaled into [0, 1]) or ``uint8`` (raw pixels); the
        TensorFlow, numpy and string spellings are accepted.
      reshape: flatten images to [N, 784]; otherwise they are [N, 28, 28, 1].
      validation_size: the validation set is the first ``validation_size``
        training images and the train set the rest, as in TF1.
      seed: seed of each data set's shuffling (see `DataSet`).
      source_url: accepted for compatibility with TF1 and ignored: nothing is
        ever downloaded.

    Returns:
      ``Datasets(train, validation, test)`` of `DataSet`; by default
      55000, 5000 and 10000 examples.

    Raises:
      FileNotFoundError: ``train_dir`` holds only some of the four IDX files
        (the message names the missing ones), or the embedded file is missing.
      ValueError: ``validation_size`` is not an integer between 0 and the number
        of training images; an IDX file has a wrong magic number or is
        truncated; the embedded file fails its sha256 check.
      TypeError: ``dtype`` is neither uint8 nor float32.
    """
    del source_url  # Never downloads; see the docstring.
    if fake_data:

        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)

        return Datasets(train=fake(), validation=fake(), test=fake())

    train_images, train_labels, test_images, test_labels = _load_arrays(train_dir)
    num_train = len(train_images)
    if not (
        isinstance(validation_size, numbers.Integral)
        and not isinstance(validation_size, bool)
        and 0 <= validation_size <= num_train
    ):
        raise ValueError(
            f"validation_size must be an integer between 0 and {num_train}. "
            f"Received: validation_size={validation_size!r}."
        )
    if one_hot:
        train_labels = dense_to_one_hot(train_labels, NUM_CLASSES)
        test_labels = dense_to_one_hot(test_labels, NUM_CLASSES)

    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    train = DataSet(train_images, train_labels, **options)
    validation = DataSet(validation_images, validation_labels, **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)
