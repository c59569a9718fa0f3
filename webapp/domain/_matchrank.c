/* Inspector matching for one department in one call (webapp/domain/matching.py, spotcheck-hashrank-v1).

   match(prefix, walk, pool, blocked, skip, size) -> {uscc: ([certificates], short)}
     prefix: seed || b"inspector"; walk: the entities' USCCs (str, ASCII) in walk order; pool: the department's
     eligible certificates (str, ASCII); blocked: {uscc: [indices into pool]} (回避); skip: USCCs the department
     has no team at (any container); size: the team size.
   Per entity not skipped: the `size` candidates with the fewest assignments so far, lowest SHA-256(prefix ||
   uscc || certificate) first (raw digests, which compare as their hex strings do), blocked ones left out; each
   taken one gets one more assignment. The value is what matching.match_department's Python loop returns: the
   certificates in (assignments, digest) order and how many the team is short. Ties, which would take a SHA-256
   collision, go to the lower pool index.

   The whole walk runs without the GIL (departments are matched in parallel threads) and without a Python
   object per candidate. When prefix || uscc leaves h bytes of its last 64-byte block and every certificate is
   longer than h with a rest that fits one final block, the certificates are grouped by their first h bytes:
   each group's block is compressed once per entity, and each candidate costs one SHA-256 block transform on a
   final block padded once per call. Otherwise each candidate is hashed whole (SHA256_Update/Final). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Transform: one block, no EVP look-up, no padding per call */
#include <openssl/sha.h>

#define SMALL_K 16   /* up to this team size, the best are kept in a sorted array while hashing */
#define LENGTHS 4    /* distinct lengths of prefix || uscc with padded final blocks ready (one in practice) */

typedef struct {
    uint32_t w[8]; /* the digest as big-endian words: comparing them in order compares the bytes */
    Py_ssize_t index;
} Scored;

static inline int cmp_digest(const Scored *x, const Scored *y) {
    for (int i = 0; i < 8; i++)
        if (x->w[i] != y->w[i]) return x->w[i] < y->w[i] ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int cmp_scored(const void *a, const void *b) { return cmp_digest(a, b); }

static inline uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Padded final blocks for one length of prefix || uscc (`total`): per certificate, its head group and the
   block its rest makes; `usable` 0 when some certificate does not fit the scheme. */
typedef struct {
    Py_ssize_t total;
    int usable;
    Py_ssize_t head;            /* h: bytes of each certificate completing prefix || uscc's last block */
    Py_ssize_t *group;          /* certificate -> head group */
    Py_ssize_t *first;          /* head group -> a certificate with that head */
    Py_ssize_t groups;
    unsigned char *blocks;      /* 64 bytes per certificate */
} Finals;

typedef struct {
    Py_ssize_t n;
    const char **cert;
    Py_ssize_t *len;
} Pool;

typedef struct {
    const Pool *pool;
    Py_ssize_t head;
} HeadOrder; /* the comparator's context (threads sort at once: no globals) */

static int cmp_head_r(const void *a, const void *b, void *ctx) {
    const HeadOrder *o = ctx;
    Py_ssize_t i = *(const Py_ssize_t *)a, j = *(const Py_ssize_t *)b;
    int c = memcmp(o->pool->cert[i], o->pool->cert[j], (size_t)o->head);
    return c ? c : (i > j) - (i < j);
}

static void finals_free(Finals *f) {
    free(f->group);
    free(f->first);
    free(f->blocks);
    memset(f, 0, sizeof *f);
}

/* Fill `f` for prefix || uscc of `total` bytes; returns -1 when out of memory. */
static int finals_build(Finals *f, const Pool *p, Py_ssize_t total, Py_ssize_t head) {
    memset(f, 0, sizeof *f);
    f->total = total;
    f->head = head;
    for (Py_ssize_t i = 0; i < p->n; i++)
        if (p->len[i] < head || p->len[i] - head + 9 > 64) return 0; /* not usable: hashed whole */
    Py_ssize_t n = p->n ? p->n : 1;
    Py_ssize_t *order = malloc(sizeof(Py_ssize_t) * n);
    f->group = malloc(sizeof(Py_ssize_t) * n);
    f->first = malloc(sizeof(Py_ssize_t) * n);
    f->blocks = malloc(64 * (size_t)n);
    if (!order || !f->group || !f->first || !f->blocks) {
        free(order);
        finals_free(f);
        return -1;
    }
    for (Py_ssize_t i = 0; i < p->n; i++) order[i] = i;
    HeadOrder by = {p, head};
    qsort_r(order, (size_t)p->n, sizeof(Py_ssize_t), cmp_head_r, &by);
    for (Py_ssize_t r = 0; r < p->n; r++) {
        Py_ssize_t i = order[r];
        if (r == 0 || memcmp(p->cert[i], p->cert[order[r - 1]], (size_t)head)) f->first[f->groups++] = i;
        f->group[i] = f->groups - 1;
    }
    free(order);
    for (Py_ssize_t i = 0; i < p->n; i++) {
        unsigned char *b = f->blocks + 64 * i;
        Py_ssize_t rest = p->len[i] - head;
        memset(b, 0, 64);
        memcpy(b, p->cert[i] + head, (size_t)rest);
        b[rest] = 0x80;
        uint64_t bits = 8 * (uint64_t)(total + p->len[i]);
        for (int k = 0; k < 8; k++) b[63 - k] = (unsigned char)(bits >> (8 * k));
    }
    f->usable = 1;
    return 0;
}

typedef struct {
    /* inputs, read without the GIL */
    const unsigned char *prefix;
    Py_ssize_t plen;
    Py_ssize_t nwalk;
    const char **uscc;
    Py_ssize_t *ulen;
    char *skip;
    Py_ssize_t *boff;            /* walk i's blocked pool indices: bidx[boff[i] .. boff[i + 1]) */
    Py_ssize_t *bidx;
    Pool pool;
    Py_ssize_t size;
    /* outputs: walk i's team is taken[i * size .. + got[i]) */
    Py_ssize_t *taken;
    Py_ssize_t *got;
    int failed;
} Job;

/* One entity's candidates at `level`, not blocked, scored; the `k` lowest appended to out in ascending order.
   Returns how many were appended, -1 when out of memory. */
static Py_ssize_t lowest_at(Job *j, const Py_ssize_t *load, Py_ssize_t level, const char *blocked, Finals *f,
                            uint32_t (*gstate)[8], Py_ssize_t *gseen, Py_ssize_t stamp, const SHA256_CTX *base,
                            Py_ssize_t k, Scored *best, Scored **all, Py_ssize_t *allcap, Py_ssize_t *out) {
    int small = k <= SMALL_K;
    Py_ssize_t have = 0;
    for (Py_ssize_t i = 0; i < j->pool.n; i++) {
        if (load[i] != level || blocked[i]) continue;
        Scored s;
        s.index = i;
        if (f && f->usable) {
            Py_ssize_t g = f->group[i];
            if (gseen[g] != stamp) { /* the group's block, once per entity */
                SHA256_CTX ctx = *base;
                SHA256_Update(&ctx, j->pool.cert[f->first[g]], (size_t)f->head);
                memcpy(gstate[g], ctx.h, sizeof gstate[g]);
                gseen[g] = stamp;
            }
            SHA256_CTX ctx;
            memcpy(ctx.h, gstate[g], sizeof ctx.h);
            SHA256_Transform(&ctx, f->blocks + 64 * i);
            memcpy(s.w, ctx.h, sizeof s.w);
        } else {
            unsigned char d[SHA256_DIGEST_LENGTH];
            SHA256_CTX ctx = *base;
            SHA256_Update(&ctx, j->pool.cert[i], (size_t)j->pool.len[i]);
            SHA256_Final(d, &ctx);
            for (int w = 0; w < 8; w++) s.w[w] = be32(d + 4 * w);
        }
        if (!small) {
            if (have == *allcap) {
                Py_ssize_t cap = *allcap ? 2 * *allcap : 256;
                Scored *grown = realloc(*all, sizeof(Scored) * cap);
                if (!grown) return -1;
                *all = grown;
                *allcap = cap;
            }
            (*all)[have++] = s;
            continue;
        }
        if (have == k && cmp_digest(&s, &best[k - 1]) >= 0) continue;
        Py_ssize_t at = have < k ? have++ : k - 1;
        while (at > 0 && cmp_digest(&s, &best[at - 1]) < 0) {
            best[at] = best[at - 1];
            at--;
        }
        best[at] = s;
    }
    if (!small) {
        qsort(*all, (size_t)have, sizeof(Scored), cmp_scored);
        if (have > k) have = k;
        for (Py_ssize_t i = 0; i < have; i++) out[i] = (*all)[i].index;
    } else {
        for (Py_ssize_t i = 0; i < have; i++) out[i] = best[i].index;
    }
    return have;
}

static void walk_all(Job *j) {
    Py_ssize_t n = j->pool.n, levels = 1, low = 0, top = 0, allcap = 0;
    Py_ssize_t *load = calloc(n ? n : 1, sizeof(Py_ssize_t));
    Py_ssize_t *count = calloc(1, sizeof(Py_ssize_t));   /* candidates per number of assignments */
    char *blocked = calloc(n ? n : 1, 1);
    uint32_t (*gstate)[8] = malloc(sizeof(uint32_t[8]) * (n ? n : 1));
    Py_ssize_t *gseen = malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    Scored *best = malloc(sizeof(Scored) * (SMALL_K + 1)), *all = NULL;
    Finals finals[LENGTHS];
    int nfinals = 0;
    if (!load || !count || !blocked || !gstate || !gseen || !best) goto fail;
    count[0] = n;
    for (Py_ssize_t g = 0; g < n; g++) gseen[g] = -1;
    for (Py_ssize_t e = 0; e < j->nwalk; e++) {
        j->got[e] = -1;
        if (j->skip[e]) continue;
        Py_ssize_t total = j->plen + j->ulen[e];
        Finals *f = NULL;
        for (int i = 0; i < nfinals; i++)
            if (finals[i].total == total) f = &finals[i];
        if (!f && nfinals < LENGTHS) {
            Py_ssize_t head = 64 - total % 64;
            if (finals_build(&finals[nfinals], &j->pool, total, head) < 0) goto fail;
            f = &finals[nfinals++];
        }
        SHA256_CTX base;
        SHA256_Init(&base);
        SHA256_Update(&base, j->prefix, (size_t)j->plen);
        SHA256_Update(&base, j->uscc[e], (size_t)j->ulen[e]);
        for (Py_ssize_t b = j->boff[e]; b < j->boff[e + 1]; b++) blocked[j->bidx[b]] = 1;
        Py_ssize_t *out = j->taken + e * j->size, need = j->size, got = 0;
        for (Py_ssize_t level = low; need && level <= top; level++) {
            Py_ssize_t found = lowest_at(j, load, level, blocked, f, gstate, gseen, e, &base, need, best, &all,
                                         &allcap, out + got);
            if (found < 0) goto fail;
            got += found;
            need -= found;
        }
        for (Py_ssize_t b = j->boff[e]; b < j->boff[e + 1]; b++) blocked[j->bidx[b]] = 0;
        for (Py_ssize_t t = 0; t < got; t++) { /* one more assignment each */
            Py_ssize_t i = out[t];
            count[load[i]]--;
            if (++load[i] == levels) {
                Py_ssize_t *grown = realloc(count, sizeof(Py_ssize_t) * 2 * levels);
                if (!grown) goto fail;
                memset(grown + levels, 0, sizeof(Py_ssize_t) * levels);
                count = grown;
                levels *= 2;
            }
            count[load[i]]++;
            if (load[i] > top) top = load[i];
        }
        while (low < top && !count[low]) low++;
        j->got[e] = got;
    }
    goto done;
fail:
    j->failed = 1;
done:
    for (int i = 0; i < nfinals; i++) finals_free(&finals[i]);
    free(load);
    free(count);
    free(blocked);
    free(gstate);
    free(gseen);
    free(best);
    free(all);
}

/* str -> (pointer, length) of its ASCII text; -1 with an exception set otherwise. */
static int ascii_of(PyObject *obj, const char **p, Py_ssize_t *n, const char *what) {
    if (!PyUnicode_Check(obj) || !PyUnicode_IS_ASCII(obj)) {
        PyErr_Format(PyExc_ValueError, "%s must be ASCII text", what);
        return -1;
    }
    *p = (const char *)PyUnicode_DATA(obj);
    *n = PyUnicode_GET_LENGTH(obj);
    return 0;
}

static PyObject *match(PyObject *self, PyObject *args) {
    Py_buffer prefix;
    PyObject *walk_in, *pool_in, *blocked_in, *skip_in, *walk = NULL, *pool = NULL, *result = NULL;
    Py_ssize_t size;
    Job j;
    memset(&j, 0, sizeof j);
    if (!PyArg_ParseTuple(args, "y*OOOOn", &prefix, &walk_in, &pool_in, &blocked_in, &skip_in, &size)) return NULL;
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "size must not be negative");
        goto done;
    }
    if (!PyDict_Check(blocked_in)) {
        PyErr_SetString(PyExc_TypeError, "blocked must be a dict");
        goto done;
    }
    walk = PySequence_Tuple(walk_in); /* tuples: nobody can drop an item while the GIL is released */
    pool = walk ? PySequence_Tuple(pool_in) : NULL;
    if (!pool) goto done;
    Py_ssize_t nw = PyTuple_GET_SIZE(walk), np = PyTuple_GET_SIZE(pool);
    j.prefix = prefix.buf;
    j.plen = prefix.len;
    j.nwalk = nw;
    j.size = size;
    j.pool.n = np;
    j.uscc = PyMem_Malloc(sizeof(char *) * (nw + 1));
    j.ulen = PyMem_Malloc(sizeof(Py_ssize_t) * (nw + 1));
    j.skip = PyMem_Malloc(nw + 1);
    j.boff = PyMem_Malloc(sizeof(Py_ssize_t) * (nw + 1));
    j.got = PyMem_Malloc(sizeof(Py_ssize_t) * (nw + 1));
    j.taken = PyMem_Malloc(sizeof(Py_ssize_t) * (nw * size + 1));
    j.pool.cert = PyMem_Malloc(sizeof(char *) * (np + 1));
    j.pool.len = PyMem_Malloc(sizeof(Py_ssize_t) * (np + 1));
    if (!j.uscc || !j.ulen || !j.skip || !j.boff || !j.got || !j.taken || !j.pool.cert || !j.pool.len) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < np; i++)
        if (ascii_of(PyTuple_GET_ITEM(pool, i), &j.pool.cert[i], &j.pool.len[i], "certificates") < 0) goto done;
    Py_ssize_t nb = 0, cap = 0;
    for (Py_ssize_t e = 0; e < nw; e++) {
        PyObject *code = PyTuple_GET_ITEM(walk, e);
        if (ascii_of(code, &j.uscc[e], &j.ulen[e], "USCCs") < 0) goto done;
        int skipped = PySequence_Contains(skip_in, code);
        if (skipped < 0) goto done;
        j.skip[e] = (char)skipped;
        j.boff[e] = nb;
        PyObject *no = PyDict_GetItemWithError(blocked_in, code);
        if (!no) {
            if (PyErr_Occurred()) goto done;
            continue;
        }
        PyObject *fast = PySequence_Fast(no, "blocked values must be sequences of pool indices");
        if (!fast) goto done;
        Py_ssize_t m = PySequence_Fast_GET_SIZE(fast);
        if (nb + m > cap) {
            cap = 2 * (nb + m) + 16;
            Py_ssize_t *grown = PyMem_Realloc(j.bidx, sizeof(Py_ssize_t) * cap);
            if (!grown) {
                Py_DECREF(fast);
                PyErr_NoMemory();
                goto done;
            }
            j.bidx = grown;
        }
        for (Py_ssize_t k = 0; k < m; k++) {
            Py_ssize_t i = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(fast, k));
            if (i == -1 && PyErr_Occurred()) {
                Py_DECREF(fast);
                goto done;
            }
            if (i < 0 || i >= np) {
                Py_DECREF(fast);
                PyErr_SetString(PyExc_IndexError, "blocked index outside the pool");
                goto done;
            }
            j.bidx[nb++] = i;
        }
        Py_DECREF(fast);
    }
    j.boff[nw] = nb;
    if (!j.bidx && !(j.bidx = PyMem_Malloc(sizeof(Py_ssize_t)))) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    walk_all(&j);
    Py_END_ALLOW_THREADS
    if (j.failed) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyDict_New();
    for (Py_ssize_t e = 0; result && e < nw; e++) {
        if (j.got[e] < 0) continue;
        PyObject *team = PyList_New(j.got[e]), *pair = NULL, *short_by = NULL;
        for (Py_ssize_t t = 0; team && t < j.got[e]; t++) {
            PyObject *cert = PyTuple_GET_ITEM(pool, j.taken[e * size + t]);
            Py_INCREF(cert);
            PyList_SET_ITEM(team, t, cert);
        }
        if (team) short_by = PyLong_FromSsize_t(size - j.got[e]);
        if (short_by) pair = PyTuple_Pack(2, team, short_by);
        if (!pair || PyDict_SetItem(result, PyTuple_GET_ITEM(walk, e), pair) < 0) Py_CLEAR(result);
        Py_XDECREF(team);
        Py_XDECREF(short_by);
        Py_XDECREF(pair);
    }
done:
    PyMem_Free(j.uscc);
    PyMem_Free(j.ulen);
    PyMem_Free(j.skip);
    PyMem_Free(j.boff);
    PyMem_Free(j.bidx);
    PyMem_Free(j.got);
    PyMem_Free(j.taken);
    PyMem_Free(j.pool.cert);
    PyMem_Free(j.pool.len);
    Py_XDECREF(walk);
    Py_XDECREF(pool);
    PyBuffer_Release(&prefix);
    return result;
}

static PyMethodDef methods[] = {
    {"match", match, METH_VARARGS, "One department's inspector matching (spotcheck-hashrank-v1), without the GIL."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_matchrank", NULL, -1, methods};

PyMODINIT_FUNC PyInit__matchrank(void) { return PyModule_Create(&module); }
