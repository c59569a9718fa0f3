/* The two hot loops of spotcheck-hashrank-v1 (docs/draw-algorithm.md), compiled.

   Both compute SHA-256(prefix || item) for many items with OpenSSL's SHA-256 (SHA-NI where the CPU has it),
   which is what `webapp/domain/draw.py` does with hashlib in its pure-Python path; tests check that the two
   paths give identical results. Nothing here decides anything the Python code does not also decide.

   keyed(prefix, items) -> [SHA-256(prefix || item) + item for item in items]
   lowest(prefix, items, k) -> the k items with the smallest SHA-256(prefix || item), ascending by digest
                               (raw digests compare as their lowercase hex strings do; ties, which would take
                               a SHA-256 collision, in the order of the items); any iterable of bytes
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co.: no EVP lookup per hash, several times faster */
#include <openssl/sha.h>

typedef struct {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    Py_ssize_t index;
} Scored;

static int cmp_scored(const void *a, const void *b) {
    const Scored *x = a, *y = b;
    int c = memcmp(x->digest, y->digest, SHA256_DIGEST_LENGTH);
    if (c) return c;
    return (x->index > y->index) - (x->index < y->index);
}

/* The items as (pointer, length) pairs, so that hashing can run without the GIL; NULL with an exception set
   when an item is not bytes. The tuple `fast` keeps them alive. */
static int unpack(PyObject *fast, const char ***ptrs, Py_ssize_t **lens) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    *ptrs = PyMem_Malloc(sizeof(char *) * (n ? n : 1));
    *lens = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    if (!*ptrs || !*lens) {
        PyMem_Free(*ptrs);
        PyMem_Free(*lens);
        PyErr_NoMemory();
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(fast);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyBytes_Check(items[i])) {
            PyMem_Free(*ptrs);
            PyMem_Free(*lens);
            PyErr_Format(PyExc_TypeError, "item %zd is %.100s, not bytes", i, Py_TYPE(items[i])->tp_name);
            return -1;
        }
        (*ptrs)[i] = PyBytes_AS_STRING(items[i]);
        (*lens)[i] = PyBytes_GET_SIZE(items[i]);
    }
    return 0;
}

static PyObject *keyed(PyObject *self, PyObject *args) {
    Py_buffer prefix;
    PyObject *seq, *fast, *out = NULL;
    const char **ptrs;
    Py_ssize_t *lens;
    if (!PyArg_ParseTuple(args, "y*O", &prefix, &seq)) return NULL;
    fast = PySequence_Tuple(seq); /* a tuple: nobody can drop an item while the GIL is released */
    if (!fast) goto done;
    if (unpack(fast, &ptrs, &lens) < 0) goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    out = PyList_New(n);
    if (!out) goto freed;
    SHA256_CTX base, ctx;
    SHA256_Init(&base);
    SHA256_Update(&base, prefix.buf, (size_t)prefix.len);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *key = PyBytes_FromStringAndSize(NULL, SHA256_DIGEST_LENGTH + lens[i]);
        if (!key) {
            Py_CLEAR(out);
            goto freed;
        }
        unsigned char *buf = (unsigned char *)PyBytes_AS_STRING(key);
        ctx = base;
        SHA256_Update(&ctx, ptrs[i], (size_t)lens[i]);
        SHA256_Final(buf, &ctx);
        memcpy(buf + SHA256_DIGEST_LENGTH, ptrs[i], (size_t)lens[i]);
        PyList_SET_ITEM(out, i, key);
    }
freed:
    PyMem_Free(ptrs);
    PyMem_Free(lens);
done:
    Py_XDECREF(fast);
    PyBuffer_Release(&prefix);
    return out;
}

static PyObject *lowest(PyObject *self, PyObject *args) {
    Py_buffer prefix;
    PyObject *seq, *fast, *out = NULL;
    Py_ssize_t k;
    const char **ptrs;
    Py_ssize_t *lens;
    if (!PyArg_ParseTuple(args, "y*On", &prefix, &seq, &k)) return NULL;
    if (k < 0) {
        PyErr_SetString(PyExc_ValueError, "k must not be negative");
        goto done_early;
    }
    fast = PySequence_Tuple(seq);
    if (!fast) goto done_early;
    if (unpack(fast, &ptrs, &lens) < 0) goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (k > n) k = n;
    /* Small k (a team size): keep the k best in a sorted array. Large k: score everything and sort. */
    int small = k <= 16;
    Scored *best = PyMem_Malloc(sizeof(Scored) * ((small ? k : n) + 1));
    if (!best) {
        PyErr_NoMemory();
        goto freed;
    }
    Py_ssize_t have = 0;
    Py_BEGIN_ALLOW_THREADS
    SHA256_CTX base, ctx;
    SHA256_Init(&base);
    SHA256_Update(&base, prefix.buf, (size_t)prefix.len);
    Scored s;
    for (Py_ssize_t i = 0; i < n && k; i++) {
        ctx = base;
        SHA256_Update(&ctx, ptrs[i], (size_t)lens[i]);
        SHA256_Final(s.digest, &ctx);
        s.index = i;
        if (!small) {
            best[have++] = s;
            continue;
        }
        if (have == k && memcmp(s.digest, best[k - 1].digest, SHA256_DIGEST_LENGTH) >= 0) continue;
        Py_ssize_t j = have < k ? have++ : k - 1;
        while (j > 0 && memcmp(s.digest, best[j - 1].digest, SHA256_DIGEST_LENGTH) < 0) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = s;
    }
    if (!small) qsort(best, (size_t)have, sizeof(Scored), cmp_scored);
    Py_END_ALLOW_THREADS
    out = PyList_New(k);
    for (Py_ssize_t i = 0; out && i < k; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, best[i].index);
        Py_INCREF(item);
        PyList_SET_ITEM(out, i, item);
    }
    PyMem_Free(best);
freed:
    PyMem_Free(ptrs);
    PyMem_Free(lens);
done:
    Py_DECREF(fast);
done_early:
    PyBuffer_Release(&prefix);
    return out;
}

static PyMethodDef methods[] = {
    {"keyed", keyed, METH_VARARGS, "[SHA-256(prefix || item) + item for item in items]"},
    {"lowest", lowest, METH_VARARGS,
     "The k items with the smallest SHA-256(prefix || item), ascending by digest."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_hashrank", "SHA-256 ranking loops of spotcheck-hashrank-v1, compiled.", -1, methods,
};

PyMODINIT_FUNC PyInit__hashrank(void) { return PyModule_Create(&module); }
