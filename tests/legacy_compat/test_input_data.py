"""Tests of the offline TF1 MNIST reader and of the embedded MNIST loader.

``legacy_compat.examples.tutorials.mnist.input_data`` must give TF1's data and
batches (``tensorflow/contrib/learn/python/learn/datasets/mnist.py``) without
ever downloading or writing; ``legacy_compat._mnist_data`` must refuse a
corrupted or missing embedded file with a message that says what to restore.
"""
import gzip
import hashlib
import os
import shutil
import subprocess
import sys

import numpy
import pytest

from legacy_compat import _mnist_data
from legacy_compat.examples.tutorials.mnist import input_data
from tests.support.helpers import REPO_ROOT

# The check values of legacy_compat/data/README.md.
FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def raw():
    """The embedded MNIST arrays (loaded once for the module)."""
    return _mnist_data.load_mnist_npz()


@pytest.fixture(scope="module")
def mnist(tmp_path_factory):
    """``read_data_sets`` with TF1's defaults, from the embedded data."""
    return input_data.read_data_sets(str(tmp_path_factory.mktemp("empty_train_dir")))


@pytest.fixture(scope="module")
def mnist_one_hot(tmp_path_factory):
    """``read_data_sets(..., one_hot=True, dtype=uint8)`` from the embedded data."""
    return input_data.read_data_sets(
        str(tmp_path_factory.mktemp("empty_train_dir")), one_hot=True, dtype=numpy.uint8
    )


def _small_dataset(raw, num_examples=1000, **kwargs):
    """A DataSet whose labels are the example indices, to follow each example."""
    return input_data.DataSet(
        raw["x_train"][:num_examples], numpy.arange(num_examples), dtype=numpy.uint8, **kwargs
    )


def _write_idx(path, magic, array, *, data_bytes=None):
    """Write ``array`` as a gzip-compressed big-endian IDX file with ``magic``."""
    header = numpy.array([magic, *array.shape], dtype=">u4").tobytes()
    data = array.astype(numpy.uint8).tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + data[:data_bytes])


def _write_idx_set(train_dir, raw, num_train=200, num_test=100):
    """Write the four IDX files of a small subset of MNIST into ``train_dir``."""
    _write_idx(train_dir / input_data.TRAIN_IMAGES, 2051, raw["x_train"][:num_train])
    _write_idx(train_dir / input_data.TRAIN_LABELS, 2049, raw["y_train"][:num_train])
    _write_idx(train_dir / input_data.TEST_IMAGES, 2051, raw["x_test"][:num_test])
    _write_idx(train_dir / input_data.TEST_LABELS, 2049, raw["y_test"][:num_test])


# --- the embedded file -------------------------------------------------------


def test_embedded_file_arrays(raw):
    assert _mnist_data.EMBEDDED_MNIST_PATH.is_file()
    expected = {
        "x_train": (60000, 28, 28),
        "y_train": (60000,),
        "x_test": (10000, 28, 28),
        "y_test": (10000,),
    }
    assert {key: raw[key].shape for key in expected} == expected
    for array in raw.values():
        assert array.dtype == numpy.uint8
        assert not array.flags.writeable


def test_embedded_file_is_loaded_once(raw):
    again = _mnist_data.load_mnist_npz()
    assert again is not raw  # a new dict: callers may change it freely
    assert all(again[key] is raw[key] for key in raw)


def test_real_mnist_check_values(raw):
    assert raw["y_train"][:10].tolist() == FIRST_TRAIN_LABELS
    assert raw["y_test"][:10].tolist() == FIRST_TEST_LABELS
    assert numpy.bincount(raw["y_train"], minlength=10).tolist() == TRAIN_CLASS_COUNTS
    assert numpy.bincount(raw["y_test"], minlength=10).tolist() == TEST_CLASS_COUNTS


def test_corrupted_file_is_refused(tmp_path):
    path = tmp_path / "mnist.npz"
    shutil.copyfile(_mnist_data.EMBEDDED_MNIST_PATH, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError) as info:
        _mnist_data.load_mnist_npz(path)
    message = str(info.value)
    assert str(path) in message
    assert _mnist_data.EMBEDDED_MNIST_SHA256 in message


def test_file_changed_after_loading_is_checked_again(tmp_path):
    path = tmp_path / "mnist.npz"
    shutil.copyfile(_mnist_data.EMBEDDED_MNIST_PATH, path)
    assert _mnist_data.load_mnist_npz(path)["y_test"][:10].tolist() == FIRST_TEST_LABELS
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    mtime_ns = path.stat().st_mtime_ns + 10**9  # a new mtime even on coarse clocks
    os.utime(path, ns=(mtime_ns, mtime_ns))
    with pytest.raises(ValueError, match=_mnist_data.EMBEDDED_MNIST_SHA256):
        _mnist_data.load_mnist_npz(path)


def test_missing_file_names_path_and_sha256(tmp_path):
    path = tmp_path / "absent" / "mnist.npz"
    with pytest.raises(FileNotFoundError) as info:
        _mnist_data.load_mnist_npz(path)
    assert str(path) in str(info.value)
    assert _mnist_data.EMBEDDED_MNIST_SHA256 in str(info.value)


def test_wrong_array_shape_is_refused(tmp_path, raw):
    path = tmp_path / "bad.npz"
    numpy.savez(path, **dict(raw, y_test=raw["y_test"][:100]))
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match=r"'y_test'.*\(10000,\).*\(100,\)"):
        _mnist_data.load_mnist_npz(path, expected_sha256=sha256)


# --- read_data_sets -----------------------------------------------------------


def test_default_split_matches_tf1(mnist, raw):
    assert isinstance(mnist, input_data.Datasets)
    assert mnist._fields == ("train", "validation", "test")
    assert (mnist.train.num_examples, mnist.validation.num_examples, mnist.test.num_examples) == (
        55000,
        5000,
        10000,
    )
    # TF1: validation = the first 5000 training images, train = the rest.
    assert mnist.validation.labels[:10].tolist() == FIRST_TRAIN_LABELS
    assert mnist.test.labels[:10].tolist() == FIRST_TEST_LABELS
    all_train = numpy.concatenate([mnist.validation.labels, mnist.train.labels])
    assert numpy.bincount(all_train, minlength=10).tolist() == TRAIN_CLASS_COUNTS
    assert numpy.bincount(mnist.test.labels, minlength=10).tolist() == TEST_CLASS_COUNTS
    assert mnist.train.labels.dtype == numpy.uint8
    numpy.testing.assert_array_equal(mnist.train.labels, raw["y_train"][5000:])


def test_images_are_float32_scaled_exactly_as_tf1(mnist, raw):
    for dataset, pixels in (
        (mnist.validation, raw["x_train"][:5000]),
        (mnist.train, raw["x_train"][5000:]),
        (mnist.test, raw["x_test"]),
    ):
        images = dataset.images
        assert images.dtype == numpy.float32
        assert images.shape == (len(pixels), 784)
        assert images.min() == 0.0 and images.max() == 1.0
        flat = pixels.reshape(-1, 784)
        for start in range(0, len(flat), 5000):  # in blocks: no second 172 MB array
            expected = flat[start:start + 5000].astype(numpy.float32) * numpy.float32(
                1.0 / 255.0)
            numpy.testing.assert_array_equal(images[start:start + 5000], expected)


def test_one_hot_labels_are_tf1s_float64(mnist_one_hot, raw):
    labels = mnist_one_hot.test.labels
    assert labels.dtype == numpy.float64  # TF1's dense_to_one_hot: numpy.zeros default
    assert labels.shape == (10000, 10)
    numpy.testing.assert_array_equal(labels.sum(axis=1), 1.0)
    numpy.testing.assert_array_equal(labels.argmax(axis=1), raw["y_test"])
    numpy.testing.assert_array_equal(
        mnist_one_hot.validation.labels.argmax(axis=1), raw["y_train"][:5000]
    )


def test_uint8_keeps_raw_pixels(mnist_one_hot, raw):
    assert mnist_one_hot.test.images.dtype == numpy.uint8
    numpy.testing.assert_array_equal(mnist_one_hot.test.images, raw["x_test"].reshape(-1, 784))


def test_reshape_false_gives_tf1_4d_images(raw, tmp_path):
    mnist = input_data.read_data_sets(str(tmp_path), dtype="uint8", reshape=False)
    assert mnist.test.images.shape == (10000, 28, 28, 1)
    numpy.testing.assert_array_equal(mnist.test.images[..., 0], raw["x_test"])


@pytest.mark.parametrize("validation_size", [0, 1, 12345, 60000])
def test_validation_size(validation_size, tmp_path, raw):
    mnist = input_data.read_data_sets(
        str(tmp_path), dtype=numpy.uint8, validation_size=validation_size
    )
    assert mnist.validation.num_examples == validation_size
    assert mnist.train.num_examples == 60000 - validation_size
    numpy.testing.assert_array_equal(mnist.validation.labels, raw["y_train"][:validation_size])
    numpy.testing.assert_array_equal(mnist.train.labels, raw["y_train"][validation_size:])


@pytest.mark.parametrize("validation_size", [-1, 60001, 2.5, None])
def test_bad_validation_size(validation_size, tmp_path):
    with pytest.raises(ValueError, match=r"between 0 and 60000.*Received: validation_size="):
        input_data.read_data_sets(str(tmp_path), validation_size=validation_size)


def test_tensorflow_and_numpy_dtypes_are_accepted(raw):
    tf = pytest.importorskip("tensorflow")
    pixels, labels = raw["x_test"][:3], raw["y_test"][:3]
    for dtype in (tf.float32, numpy.float32, numpy.dtype("float32"), "float32"):
        assert input_data.DataSet(pixels, labels, dtype=dtype).images.dtype == numpy.float32
    for dtype in (tf.uint8, numpy.uint8, "uint8"):
        assert input_data.DataSet(pixels, labels, dtype=dtype).images.dtype == numpy.uint8


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.int32, "float16", None, "no-such-type"])
def test_bad_dtype(dtype, raw):
    with pytest.raises(TypeError, match=r"Invalid image dtype: expected uint8 or float32"):
        input_data.DataSet(raw["x_test"][:3], raw["y_test"][:3], dtype=dtype)


def test_mismatched_images_and_labels(raw):
    with pytest.raises(ValueError, match="same number of examples"):
        input_data.DataSet(raw["x_test"][:3], raw["y_test"][:4])


def test_missing_train_dir_is_not_created(tmp_path):
    train_dir = tmp_path / "tmp" / "data"
    mnist = input_data.read_data_sets(
        str(train_dir), dtype=numpy.uint8, source_url="http://unreachable.invalid/"
    )
    assert mnist.test.num_examples == 10000
    assert not (tmp_path / "tmp").exists()


def test_fake_data():
    mnist = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    assert mnist.train.num_examples == 10000
    images, labels = mnist.train.next_batch(3, fake_data=True)
    assert images == [[1] * 784] * 3
    assert labels == [[1] + [0] * 9] * 3
    dataset = input_data.DataSet([], [], fake_data=True)
    assert dataset.next_batch(2, fake_data=True)[1] == [0, 0]


def test_import_has_no_tensorflow_or_keras_side_effects():
    code = (
        "import sys\n"
        "from legacy_compat.examples.tutorials.mnist import input_data\n"
        "loaded = sorted(m for m in ('tensorflow', 'keras', 'tf_keras') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)


# --- next_batch ---------------------------------------------------------------


def test_one_epoch_covers_every_example_once(raw):
    dataset = _small_dataset(raw, seed=1)
    batches = [dataset.next_batch(100) for _ in range(10)]
    order = numpy.concatenate([labels for _, labels in batches])
    assert sorted(order.tolist()) == list(range(1000))
    assert order.tolist() != list(range(1000))  # shuffled
    images = numpy.concatenate([images for images, _ in batches])
    numpy.testing.assert_array_equal(images, raw["x_train"][order].reshape(-1, 784))
    assert dataset.epochs_completed == 0  # TF1 counts the epoch on the next call


def test_epochs_are_reshuffled(raw):
    dataset = _small_dataset(raw, seed=2)
    first = numpy.concatenate([dataset.next_batch(250)[1] for _ in range(4)])
    second = numpy.concatenate([dataset.next_batch(250)[1] for _ in range(4)])
    assert dataset.epochs_completed == 1
    assert sorted(second.tolist()) == list(range(1000))
    assert first.tolist() != second.tolist()


def test_batch_crossing_the_epoch_end(raw):
    dataset = _small_dataset(raw, seed=3)
    first_epoch = numpy.concatenate([dataset.next_batch(300)[1] for _ in range(3)])
    images, labels = dataset.next_batch(300)
    assert dataset.epochs_completed == 1
    assert images.shape == (300, 784) and labels.shape == (300,)
    rest, next_start = labels[:100], labels[100:]
    assert sorted(numpy.concatenate([first_epoch, rest]).tolist()) == list(range(1000))
    second_epoch = numpy.concatenate(
        [next_start] + [dataset.next_batch(200)[1] for _ in range(4)]
    )
    assert sorted(second_epoch.tolist()) == list(range(1000))
    assert dataset.epochs_completed == 1


def test_shuffle_false_iterates_in_order(raw):
    dataset = _small_dataset(raw)
    for start in (0, 300, 600):
        numpy.testing.assert_array_equal(
            dataset.next_batch(300, shuffle=False)[1], numpy.arange(start, start + 300)
        )
    images, labels = dataset.next_batch(300, shuffle=False)
    expected = numpy.r_[900:1000, 0:200]
    numpy.testing.assert_array_equal(labels, expected)
    numpy.testing.assert_array_equal(images, raw["x_train"][expected].reshape(-1, 784))
    assert dataset.epochs_completed == 1


def test_seed_gives_tf1_permutations_without_touching_numpy_global_state(raw):
    state = numpy.random.get_state()
    try:
        dataset = _small_dataset(raw, seed=1234)
        labels = [dataset.next_batch(1000)[1] for _ in range(3)]
        numpy.testing.assert_array_equal(numpy.random.get_state()[1], state[1])

        # TF1: numpy.random.seed(seed) in the constructor, numpy.random.shuffle
        # at each epoch start.
        numpy.random.seed(1234)
        order = numpy.arange(1000)
        for epoch_labels in labels:
            perm = numpy.arange(1000)
            numpy.random.shuffle(perm)
            order = order[perm]
            numpy.testing.assert_array_equal(epoch_labels, order)
    finally:
        numpy.random.set_state(state)


def test_seed_none_uses_the_graph_level_seed_as_tf1(raw):
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(20170)
        datasets = [_small_dataset(raw) for _ in range(2)]
    expected = numpy.arange(1000)
    numpy.random.RandomState(20170).shuffle(expected)  # TF1: numpy.random.seed(graph seed)
    for dataset in datasets:
        numpy.testing.assert_array_equal(dataset.next_batch(1000)[1], expected)


def test_seed_is_reproducible(raw):
    def batches(seed):
        dataset = _small_dataset(raw, seed=seed)
        return numpy.concatenate([dataset.next_batch(128)[1] for _ in range(20)])

    numpy.testing.assert_array_equal(batches(5), batches(5))
    assert batches(5).tolist() != batches(6).tolist()


@pytest.mark.parametrize("batch_size", [0, -1, 1001])
def test_bad_batch_size(batch_size, raw):
    with pytest.raises(ValueError, match=rf"Received: batch_size={batch_size}"):
        _small_dataset(raw).next_batch(batch_size)


# --- IDX files -----------------------------------------------------------------


def test_idx_files_are_read(tmp_path, raw):
    _write_idx_set(tmp_path, raw)
    before = sorted(os.listdir(tmp_path))
    mnist = input_data.read_data_sets(
        str(tmp_path), one_hot=True, dtype=numpy.uint8, reshape=False, validation_size=50
    )
    assert sorted(os.listdir(tmp_path)) == before
    assert mnist.validation.images.shape == (50, 28, 28, 1)
    numpy.testing.assert_array_equal(mnist.validation.images[..., 0], raw["x_train"][:50])
    numpy.testing.assert_array_equal(mnist.train.images[..., 0], raw["x_train"][50:200])
    numpy.testing.assert_array_equal(mnist.test.images[..., 0], raw["x_test"][:100])
    numpy.testing.assert_array_equal(mnist.train.labels.argmax(axis=1), raw["y_train"][50:200])
    numpy.testing.assert_array_equal(mnist.test.labels.argmax(axis=1), raw["y_test"][:100])
    with pytest.raises(ValueError, match=r"between 0 and 200"):
        input_data.read_data_sets(str(tmp_path), validation_size=201)


@pytest.mark.parametrize(
    "name, magic, expected",
    [(input_data.TRAIN_IMAGES, 2049, 2051), (input_data.TEST_LABELS, 2051, 2049)],
)
def test_wrong_magic(tmp_path, raw, name, magic, expected):
    _write_idx_set(tmp_path, raw)
    array = raw["x_train"][:200] if name == input_data.TRAIN_IMAGES else raw["y_test"][:100]
    _write_idx(tmp_path / name, magic, array)
    with pytest.raises(ValueError) as info:
        input_data.read_data_sets(str(tmp_path))
    message = str(info.value)
    assert str(tmp_path / name) in message
    assert f"expected {expected}" in message and f"Received: {magic}" in message


def test_truncated_data(tmp_path, raw):
    _write_idx_set(tmp_path, raw)
    path = tmp_path / input_data.TRAIN_IMAGES
    _write_idx(path, 2051, raw["x_train"][:200], data_bytes=1000)
    with pytest.raises(ValueError, match="truncated") as info:
        input_data.read_data_sets(str(tmp_path))
    assert str(path) in str(info.value)


def test_truncated_gzip_stream(tmp_path, raw):
    _write_idx_set(tmp_path, raw)
    path = tmp_path / input_data.TEST_LABELS
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(ValueError, match="truncated") as info:
        input_data.read_data_sets(str(tmp_path))
    assert str(path) in str(info.value)


def test_partial_idx_set_names_missing_files(tmp_path, raw):
    _write_idx_set(tmp_path, raw)
    (tmp_path / input_data.TEST_LABELS).unlink()
    with pytest.raises(FileNotFoundError, match=input_data.TEST_LABELS) as info:
        input_data.read_data_sets(str(tmp_path))
    assert input_data.TEST_IMAGES not in str(info.value)


# --- the lazy images against TF1's eager DataSet --------------------------------


class _TF1DataSet:
    """TF 1.15's ``DataSet`` (tensorflow/contrib/learn/python/learn/datasets/mnist.py),
    its constructor and ``next_batch`` transcribed (float32 conversion in the
    constructor, a copy of the whole split at each shuffle, batches as views), with
    numpy's global generator replaced by the RandomState the kit's DataSet owns."""

    def __init__(self, images, labels, dtype, seed):
        images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        if dtype == numpy.float32:
            images = images.astype(numpy.float32)
            images = numpy.multiply(images, 1.0 / 255.0)
        self.rng = numpy.random.RandomState(seed)
        self.images, self.labels, self.n = images, labels, images.shape[0]
        self.epochs_completed = self.index_in_epoch = 0

    def next_batch(self, batch_size, shuffle=True):
        start = self.index_in_epoch
        if self.epochs_completed == 0 and start == 0 and shuffle:
            perm0 = numpy.arange(self.n)
            self.rng.shuffle(perm0)
            self.images, self.labels = self.images[perm0], self.labels[perm0]
        if start + batch_size > self.n:
            self.epochs_completed += 1
            rest_num_examples = self.n - start
            images_rest_part = self.images[start:self.n]
            labels_rest_part = self.labels[start:self.n]
            if shuffle:
                perm = numpy.arange(self.n)
                self.rng.shuffle(perm)
                self.images, self.labels = self.images[perm], self.labels[perm]
            start = 0
            self.index_in_epoch = batch_size - rest_num_examples
            end = self.index_in_epoch
            return (numpy.concatenate((images_rest_part, self.images[start:end]), axis=0),
                    numpy.concatenate((labels_rest_part, self.labels[start:end]), axis=0))
        self.index_in_epoch += batch_size
        end = self.index_in_epoch
        return self.images[start:end], self.labels[start:end]


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.uint8])
@pytest.mark.parametrize("read_images_at", [None, 0, 7])
def test_lazy_images_give_tf1s_batches_bit_for_bit(raw, dtype, read_images_at):
    """Every batch (within and across epochs, shuffled and not) and ``images`` at each
    point equal TF1's eager DataSet's; reading ``images`` (at call ``read_images_at``)
    switches to TF1's eager arrays without changing what comes next."""
    pixels, labels = raw["x_train"][:700], raw["y_train"][:700]
    ours = input_data.DataSet(pixels[..., None], labels, dtype=dtype, seed=5)
    tf1 = _TF1DataSet(pixels, labels, dtype, seed=5)
    sizes = [64, 250, 300, 100, 700, 33, 128, 650, 90, 10, 512, 7, 300]
    for call, size in enumerate(sizes):
        if call == read_images_at:
            assert ours.images.dtype == tf1.images.dtype
            numpy.testing.assert_array_equal(ours.images, tf1.images)
        shuffle = call % 5 != 4
        (x, y), (want_x, want_y) = ours.next_batch(size, shuffle=shuffle), \
            tf1.next_batch(size, shuffle=shuffle)
        assert x.dtype == want_x.dtype and x.shape == want_x.shape
        assert x.tobytes() == want_x.tobytes()  # the same bits, not only close
        numpy.testing.assert_array_equal(y, want_y)
        assert ours.epochs_completed == tf1.epochs_completed
    assert ours.images.tobytes() == tf1.images.tobytes()
    numpy.testing.assert_array_equal(ours.labels, tf1.labels)
