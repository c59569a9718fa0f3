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
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co.: no EVP lookup per hash, several times faster */
#include <openssl/sha.h>

typedef struct {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    Py_ssize_t index;
} Scored;

/* A SHA-256 state that has read `prefix` (the seed and the kind): each score continues a copy of it. */
static SHA256_CTX prefixed(const Py_buffer *prefix) {
    SHA256_CTX base;
    SHA256_Init(&base);
    SHA256_Update(&base, prefix->buf, (size_t)prefix->len);
    return base;
}

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
    SHA256_CTX ctx, base = prefixed(&prefix);
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
    SHA256_CTX ctx, base = prefixed(&prefix);
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

/* --- the entity draw over a whole canonical population text -------------------------------------------------

   rank(prefix, text, ratios, floor) -> (populations, by ratio, chosen, floor_minimum, floor_added, packed)
     text: the canonical population (`USCC<TAB>risk<LF>` per entity, str of ASCII or bytes); ratios: 4 whole
     percents in LEVELS order; per level the ceil(n·p/100) lowest keys (SHA-256(prefix || uscc), then uscc), then
     a top-up from any level to ceil(N·floor/100) — what webapp/domain/draw.py's `_select` decides; the first
     three per level. Memory: one
     56-byte record per entity that can still be chosen (bounded max-heaps), none per entity of the population.
     packed: the chosen as Chosen records in ascending key order, read by the three functions after it. */

static const char *LEVEL_NAMES[4] = {"high", "higher", "general", "low"};
static const size_t LEVEL_LENS[4] = {4, 6, 7, 3};

#define INLINE 18 /* a USCC's length: such usccs travel inside the record */

typedef struct {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    uint32_t len;
    uint8_t level;
    uint8_t floor; /* 0: by ratio, 1: by the floor */
    /* the uscc itself when len <= INLINE, copied while the pass reads it; else its offset in the text (uint64_t).
       The output formats then read the records in order without touching the text at random: at 10,000,000
       entities that cost more than all the rest of them (a cache and TLB miss per chosen entity). */
    char uscc[INLINE];
} Chosen;

static inline uint64_t offset_of(const Chosen *c) { /* of a long uscc */
    uint64_t offset;
    memcpy(&offset, c->uscc, sizeof offset);
    return offset;
}

static inline const char *uscc_of(const Chosen *c, const char *text) {
    return c->len <= INLINE ? c->uscc : text + offset_of(c);
}

/* The first 8 bytes of a digest as a number: SHA-256 is uniform, so the k lowest of n lie below about k/n·2^64. */
static inline uint64_t top64(const unsigned char *d) {
    uint64_t v;
    memcpy(&v, d, 8);
    return __builtin_bswap64(v);
}

static inline int cmp_chosen(const Chosen *x, const Chosen *y, const char *text) {
    uint64_t a = top64(x->digest), b = top64(y->digest);
    if (a != b) return a < b ? -1 : 1;
    int c = memcmp(x->digest + 8, y->digest + 8, SHA256_DIGEST_LENGTH - 8);
    if (c) return c;
    uint32_t n = x->len < y->len ? x->len : y->len;
    c = memcmp(uscc_of(x, text), uscc_of(y, text), n);
    if (c) return c;
    return (x->len > y->len) - (x->len < y->len);
}

static int level_of(const char *p, size_t n) {
    for (int i = 0; i < 4; i++)
        if (n == LEVEL_LENS[i] && !memcmp(p, LEVEL_NAMES[i], n)) return i;
    return -1;
}

/* The text's bytes: a compact ASCII str without a copy, or bytes. */
static int text_of(PyObject *obj, const char **buf, Py_ssize_t *len) {
    if (PyUnicode_Check(obj)) {
        if (!PyUnicode_IS_ASCII(obj)) {
            PyErr_SetString(PyExc_ValueError, "the population text is not ASCII");
            return -1;
        }
        *buf = PyUnicode_AsUTF8AndSize(obj, len);
        return *buf ? 0 : -1;
    }
    if (PyBytes_Check(obj)) {
        *buf = PyBytes_AS_STRING(obj);
        *len = PyBytes_GET_SIZE(obj);
        return 0;
    }
    PyErr_SetString(PyExc_TypeError, "the population text must be str or bytes");
    return -1;
}

/* One line at p: the uscc's length and the level; the next line's start, or NULL when malformed. */
static const char *parse_line(const char *p, const char *end, uint32_t *ulen, int *level) {
    const char *tab = memchr(p, '\t', (size_t)(end - p));
    if (!tab) return NULL;
    const char *nl = memchr(tab + 1, '\n', (size_t)(end - tab - 1));
    if (!nl || memchr(p, '\n', (size_t)(tab - p)) || tab - p > UINT32_MAX) return NULL;
    *ulen = (uint32_t)(tab - p);
    *level = level_of(tab + 1, (size_t)(nl - tab - 1));
    return nl + 1;
}

/* The n (>= 2) records of a level sorted by key, in a new array (the old one freed); NULL when out of memory. Their keys
   are uniform below `span` (0: 2^64), so one pass puts them into n buckets by their first 64 bits, in order, and an
   insertion sort finishes: about one record per bucket, linear time (qsort spent half the draw's CPU at
   10,000,000). The order is cmp_chosen's whatever the keys: only the time depends on their spread. */
static Chosen *sort_chosen(Chosen *a, Py_ssize_t n, uint64_t span, const char *text) {
    Py_ssize_t *start = PyMem_RawCalloc((size_t)n + 1, sizeof(Py_ssize_t));
    Chosen *b = PyMem_RawMalloc(sizeof(Chosen) * (size_t)n);
    if (!start || !b) {
        PyMem_RawFree(start);
        PyMem_RawFree(b);
        return NULL;
    }
#define BUCKET(t) (span ? (Py_ssize_t)(((unsigned __int128)(t) * (unsigned __int128)n) / span) \
                        : (Py_ssize_t)(((unsigned __int128)(t) * (unsigned __int128)n) >> 64))
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = BUCKET(top64(a[i].digest));
        start[(k < n ? k : n - 1) + 1]++;
    }
    for (Py_ssize_t k = 0; k < n; k++) start[k + 1] += start[k];
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = BUCKET(top64(a[i].digest));
        b[start[k < n ? k : n - 1]++] = a[i];
    }
#undef BUCKET
    PyMem_RawFree(start);
    PyMem_RawFree(a);
    for (Py_ssize_t i = 1; i < n; i++) { /* the buckets are in order: records move only within theirs */
        if (cmp_chosen(&b[i - 1], &b[i], text) <= 0) continue;
        Chosen x = b[i];
        Py_ssize_t j = i;
        while (j > 0 && cmp_chosen(&b[j - 1], &x, text) > 0) {
            b[j] = b[j - 1];
            j--;
        }
        b[j] = x;
    }
    return b;
}

static Py_ssize_t ceil_percent_c(Py_ssize_t n, long long percent) {
    long long v = (long long)n * percent;
    return (Py_ssize_t)(v >= 0 ? (v + 99) / 100 : v / 100);
}

static PyObject *rank(PyObject *self, PyObject *args) {
    Py_buffer prefix;
    PyObject *text_obj, *result = NULL;
    long long ratio[4], floor_percent;
    if (!PyArg_ParseTuple(args, "y*O(LLLL)L", &prefix, &text_obj, &ratio[0], &ratio[1], &ratio[2], &ratio[3],
                          &floor_percent))
        return NULL;
    const char *text;
    Py_ssize_t size;
    Chosen *heap[4] = {NULL, NULL, NULL, NULL}, *out = NULL;
    if (text_of(text_obj, &text, &size) < 0) goto done;
    const char *end = text + size, *p = text;
    Py_ssize_t count[4] = {0, 0, 0, 0}, total = 0;
    while (p < end) { /* pass 1: how many per level, and the text is well formed */
        uint32_t ulen;
        int level;
        const char *next = parse_line(p, end, &ulen, &level);
        if (!next || level < 0) {
            PyErr_Format(PyExc_ValueError, "population line at byte %zd is not USCC<TAB>risk<LF>", (Py_ssize_t)(p - text));
            goto done;
        }
        count[level]++;
        total++;
        p = next;
    }
    Py_ssize_t k[4], cap[4], have[4] = {0, 0, 0, 0}, sum_k = 0;
    for (int i = 0; i < 4; i++) {
        k[i] = ceil_percent_c(count[i], ratio[i]);
        if (k[i] > count[i]) k[i] = count[i];
        if (k[i] < 0) k[i] = 0;
        sum_k += k[i];
    }
    Py_ssize_t minimum = ceil_percent_c(total, floor_percent), extra = minimum > sum_k ? minimum - sum_k : 0;
    /* Pass 2: per level, the keys below a limit a little above where the cap[level]-th lowest is expected
       (4 standard deviations), then sorted; a level that came out short (about one draw in 30,000) is
       collected again whole. The result is the same whatever the limits: only memory and time depend on them. */
    Py_ssize_t room[4];
    uint64_t limit[4];
    int whole[4], again = 1;
    for (int i = 0; i < 4; i++) {
        cap[i] = k[i] + extra < count[i] ? k[i] + extra : count[i];
        double want = (double)cap[i] + 4.0 * sqrt((double)cap[i]) + 64.0;
        whole[i] = want >= (double)count[i];
        limit[i] = whole[i] ? UINT64_MAX : (uint64_t)(want / (double)count[i] * 18446744073709551616.0);
        room[i] = whole[i] ? count[i] : (Py_ssize_t)(want * 1.01) + 16;
        heap[i] = cap[i] ? PyMem_RawMalloc(sizeof(Chosen) * room[i]) : NULL;
        if (cap[i] && !heap[i]) {
            PyErr_NoMemory();
            goto done;
        }
    }
    Py_ssize_t chosen_n = 0, at[4];
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    SHA256_CTX ctx, base = prefixed(&prefix);
    Chosen c;
    while (again && !failed) {
        for (p = text; p < end && !failed;) {
            uint32_t ulen;
            int level;
            const char *next = parse_line(p, end, &ulen, &level);
            if (cap[level] && (again == 1 || whole[level] == 2)) {
                ctx = base;
                SHA256_Update(&ctx, p, ulen);
                SHA256_Final(c.digest, &ctx);
                if (whole[level] || top64(c.digest) < limit[level]) {
                    if (have[level] == room[level]) {
                        Chosen *bigger = PyMem_RawRealloc(heap[level], sizeof(Chosen) * room[level] * 2);
                        if (!bigger) {
                            failed = 1;
                            break;
                        }
                        heap[level] = bigger;
                        room[level] *= 2;
                    }
                    c.len = ulen;
                    if (ulen <= INLINE) {
                        memcpy(c.uscc, p, ulen);
                        memset(c.uscc + ulen, 0, INLINE - ulen);
                    } else {
                        uint64_t offset = (uint64_t)(p - text);
                        memcpy(c.uscc, &offset, sizeof offset);
                    }
                    c.level = (uint8_t)level;
                    c.floor = 0;
                    heap[level][have[level]++] = c;
                }
            }
            p = next;
        }
        again = 0;
        for (int i = 0; i < 4 && !failed; i++)
            if (have[i] < cap[i]) { /* short: collect this level whole */
                Chosen *all = PyMem_RawRealloc(heap[i], sizeof(Chosen) * count[i]);
                if (!all) {
                    failed = 1;
                    break;
                }
                heap[i] = all;
                room[i] = count[i];
                have[i] = 0;
                whole[i] = again = 2;
            }
    }
    for (int i = 0; i < 4 && !failed; i++) {
        if (have[i] >= 2) {
            Chosen *sorted = sort_chosen(heap[i], have[i], whole[i] ? 0 : limit[i], text);
            if (!sorted) {
                failed = 1;
                break;
            }
            heap[i] = sorted;
        }
        have[i] = cap[i];
    }
    /* the floor: the `extra` lowest of what the ratios left (each heap's tail), marked as such */
    for (int i = 0; i < 4; i++) at[i] = k[i];
    for (Py_ssize_t taken = 0; taken < extra; taken++) {
        int best = -1;
        for (int i = 0; i < 4; i++)
            if (at[i] < have[i] && (best < 0 || cmp_chosen(&heap[i][at[i]], &heap[best][at[best]], text) < 0)) best = i;
        if (best < 0) break;
        heap[best][at[best]++].floor = 1;
    }
    for (int i = 0; i < 4; i++) chosen_n += at[i];
    Py_END_ALLOW_THREADS
    if (failed) {
        PyErr_NoMemory();
        goto done;
    }
    /* the four ascending runs merged straight into the result (no second copy of a 200 MB selection) */
    PyObject *packed = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(sizeof(Chosen) * chosen_n));
    if (!packed) goto done;
    out = (Chosen *)PyBytes_AS_STRING(packed);
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t pos[4] = {0, 0, 0, 0};
    for (Py_ssize_t j = 0; j < chosen_n; j++) {
        int best = -1;
        for (int i = 0; i < 4; i++)
            if (pos[i] < at[i] && (best < 0 || cmp_chosen(&heap[i][pos[i]], &heap[best][pos[best]], text) < 0)) best = i;
        out[j] = heap[best][pos[best]++];
    }
    Py_END_ALLOW_THREADS
    out = NULL; /* owned by `packed` */
    result = Py_BuildValue("(nnnn)(nnnn)(nnnn)nnN", count[0], count[1], count[2], count[3], k[0], k[1], k[2], k[3],
                           at[0], at[1], at[2], at[3], minimum, chosen_n - sum_k, packed);
done:
    for (int i = 0; i < 4; i++) PyMem_RawFree(heap[i]);
    PyMem_RawFree(out);
    PyBuffer_Release(&prefix);
    return result;
}

/* The packed records [start, stop) of `rank`, checked against the text they point into. */
static int chosen_of(Py_buffer *packed, const char *text, Py_ssize_t size, Py_ssize_t *start, Py_ssize_t *stop) {
    Py_ssize_t n = packed->len / (Py_ssize_t)sizeof(Chosen);
    if (packed->len % (Py_ssize_t)sizeof(Chosen)) {
        PyErr_SetString(PyExc_ValueError, "not a packed selection");
        return -1;
    }
    if (*stop > n) *stop = n;
    if (*start < 0) *start = 0;
    if (*start > *stop) *start = *stop;
    const Chosen *c = packed->buf;
    for (Py_ssize_t i = *start; i < *stop; i++)
        if (c[i].level > 3 || (c[i].len > INLINE && offset_of(&c[i]) + c[i].len > (uint64_t)size)) {
            PyErr_SetString(PyExc_ValueError, "the packed selection does not belong to this text");
            return -1;
        }
    return 0;
}

static const char HEX[] = "0123456789abcdef";


/* A growing byte buffer for the text formats. */
typedef struct {
    char *buf;
    size_t len, cap;
} Out;

static int grow(Out *o, size_t n) {
    size_t cap = (o->cap ? o->cap * 2 : 1 << 16) + n;
    char *b = PyMem_RawRealloc(o->buf, cap); /* thread-safe: the formats run without the GIL */
    if (!b) return -1;
    o->buf = b;
    o->cap = cap;
    return 0;
}

static inline int put(Out *o, const char *s, size_t n) {
    if (o->len + n > o->cap && grow(o, n) < 0) return -1;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    return 0;
}

static int put_hex(Out *o, const unsigned char *d) {
    char h[2 * SHA256_DIGEST_LENGTH];
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        h[2 * i] = HEX[d[i] >> 4];
        h[2 * i + 1] = HEX[d[i] & 15];
    }
    return put(o, h, sizeof h);
}

/* A JSON string body as json.dumps(ensure_ascii=False) writes it. */
static int put_json(Out *o, const char *s, size_t n) {
    size_t plain = 0;
    while (plain < n && (unsigned char)s[plain] >= 0x20 && s[plain] != '"' && s[plain] != '\\') plain++;
    if (plain == n) return put(o, s, n); /* a USCC: nothing to escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[7] = {'\\', 0};
        size_t m = 2;
        switch (ch) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            if (ch >= 0x20) {
                if (put(o, (const char *)&ch, 1) < 0) return -1;
                continue;
            }
            memcpy(esc + 1, "u00", 3);
            esc[4] = HEX[ch >> 4];
            esc[5] = HEX[ch & 15];
            m = 6;
        }
        if (put(o, esc, m) < 0) return -1;
    }
    return 0;
}

/* A field of PostgreSQL's COPY text format (tab and newline cannot occur in a uscc). */
static int put_copy(Out *o, const char *s, size_t n) {
    if (!memchr(s, '\\', n) && !memchr(s, '\r', n)) return put(o, s, n);
    for (size_t i = 0; i < n; i++) {
        if ((s[i] == '\\' || s[i] == '\r') && put(o, "\\", 1) < 0) return -1;
        if (put(o, s[i] == '\r' ? "r" : s + i, 1) < 0) return -1;
    }
    return 0;
}

static PyObject *finish(Out *o, int failed) {
    PyObject *r = failed ? PyErr_NoMemory() : PyBytes_FromStringAndSize(o->buf ? o->buf : "", (Py_ssize_t)o->len);
    PyMem_RawFree(o->buf);
    return r;
}

/* The arguments (packed, text, start, stop) of chosen_rows and chosen_json, checked; -1 with an exception set and
   nothing held, or 0 with `packed` to release. */
typedef struct {
    Py_buffer packed;
    const char *text;
    Py_ssize_t start, stop;
} Selection;

static int selection_of(PyObject *args, Selection *s) {
    PyObject *text_obj;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "y*Onn", &s->packed, &text_obj, &s->start, &s->stop)) return -1;
    if (text_of(text_obj, &s->text, &size) < 0 || chosen_of(&s->packed, s->text, size, &s->start, &s->stop) < 0) {
        PyBuffer_Release(&s->packed);
        return -1;
    }
    return 0;
}

/* chosen_rows(packed, text, start, stop) -> [(uscc, risk, score_hex, "ratio" | "floor")] */
static PyObject *chosen_rows(PyObject *self, PyObject *args) {
    Selection s;
    if (selection_of(args, &s) < 0) return NULL;
    const Chosen *c = s.packed.buf;
    PyObject *out = PyList_New(s.stop - s.start);
    for (Py_ssize_t i = s.start; out && i < s.stop; i++) {
        char h[2 * SHA256_DIGEST_LENGTH];
        for (int j = 0; j < SHA256_DIGEST_LENGTH; j++) {
            h[2 * j] = HEX[c[i].digest[j] >> 4];
            h[2 * j + 1] = HEX[c[i].digest[j] & 15];
        }
        PyObject *row = Py_BuildValue("(s#s#s#s)", uscc_of(&c[i], s.text), (Py_ssize_t)c[i].len,
                                      LEVEL_NAMES[c[i].level], (Py_ssize_t)LEVEL_LENS[c[i].level], h,
                                      (Py_ssize_t)sizeof h, c[i].floor ? "floor" : "ratio");
        if (!row) Py_CLEAR(out);
        else PyList_SET_ITEM(out, i - s.start, row);
    }
    PyBuffer_Release(&s.packed);
    return out;
}

/* chosen_json(packed, text, start, stop) -> the canonical JSON of the items, comma-separated, no brackets:
   {"by":"ratio","risk":…,"score":…,"uscc":…} as json.dumps(sort_keys, separators=(",", ":")) writes them. */
static PyObject *chosen_json(PyObject *self, PyObject *args) {
    Selection s;
    if (selection_of(args, &s) < 0) return NULL;
    const Chosen *c = s.packed.buf;
    Out o = {NULL, 0, 0};
    int failed;
    Py_BEGIN_ALLOW_THREADS /* the text and the records are immutable objects the caller holds */
    failed = grow(&o, (size_t)(s.stop - s.start) * 160) < 0;
    for (Py_ssize_t i = s.start; !failed && i < s.stop; i++) {
        failed = (i > s.start && put(&o, ",", 1) < 0) ||
                 put(&o, c[i].floor ? "{\"by\":\"floor\",\"risk\":\"" : "{\"by\":\"ratio\",\"risk\":\"", 22) < 0 ||
                 put(&o, LEVEL_NAMES[c[i].level], LEVEL_LENS[c[i].level]) < 0 ||
                 put(&o, "\",\"score\":\"", 11) < 0 || put_hex(&o, c[i].digest) < 0 ||
                 put(&o, "\",\"uscc\":\"", 10) < 0 || put_json(&o, uscc_of(&c[i], s.text), c[i].len) < 0 ||
                 put(&o, "\"}", 2) < 0;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&s.packed);
    return finish(&o, failed);
}

/* chosen_copy(packed, text, start, stop, lead) -> COPY text rows `lead rank<TAB>risk<TAB>uscc<TAB>by`, rank counted
   from 1 over the whole selection, by "ratio" or "floor" (the score is not stored: it is recomputed when read). */
static PyObject *chosen_copy(PyObject *self, PyObject *args) {
    Py_buffer packed, lead;
    PyObject *text_obj, *out = NULL;
    Py_ssize_t start, stop, size;
    const char *text;
    if (!PyArg_ParseTuple(args, "y*Onny*", &packed, &text_obj, &start, &stop, &lead)) return NULL;
    if (text_of(text_obj, &text, &size) < 0 || chosen_of(&packed, text, size, &start, &stop) < 0) goto done;
    const Chosen *c = packed.buf;
    Out o = {NULL, 0, 0};
    int failed;
    Py_BEGIN_ALLOW_THREADS
    failed = grow(&o, (size_t)(stop - start) * 64) < 0;
    for (Py_ssize_t i = start; !failed && i < stop; i++) {
        char number[24];
        int m = sizeof number;
        number[--m] = '\t';
        for (Py_ssize_t v = i + 1; v; v /= 10) number[--m] = (char)('0' + v % 10);
        failed = put(&o, lead.buf, (size_t)lead.len) < 0 || put(&o, number + m, sizeof number - (size_t)m) < 0 ||
                 put(&o, LEVEL_NAMES[c[i].level], LEVEL_LENS[c[i].level]) < 0 || put(&o, "\t", 1) < 0 ||
                 put_copy(&o, uscc_of(&c[i], text), c[i].len) < 0 ||
                 put(&o, c[i].floor ? "\tfloor\n" : "\tratio\n", 7) < 0;
    }
    Py_END_ALLOW_THREADS
    out = finish(&o, failed);
done:
    PyBuffer_Release(&packed);
    PyBuffer_Release(&lead);
    return out;
}

/* population_json(text, offset, count) -> (JSON of up to count items {"risk":…,"uscc":…} from byte offset,
   comma-separated, canonical; the next offset). */
static PyObject *population_json(PyObject *self, PyObject *args) {
    PyObject *text_obj;
    Py_ssize_t offset, count, size;
    const char *text;
    if (!PyArg_ParseTuple(args, "Onn", &text_obj, &offset, &count)) return NULL;
    if (text_of(text_obj, &text, &size) < 0) return NULL;
    if (offset < 0 || offset > size) {
        PyErr_SetString(PyExc_ValueError, "offset outside the text");
        return NULL;
    }
    const char *p = text + offset, *end = text + size, *bad = NULL;
    Out o = {NULL, 0, 0};
    int failed;
    Py_BEGIN_ALLOW_THREADS
    failed = grow(&o, (size_t)(count < size - offset ? count : size - offset) * 64) < 0;
    for (Py_ssize_t i = 0; !failed && i < count && p < end; i++) {
        uint32_t ulen;
        int level;
        const char *next = parse_line(p, end, &ulen, &level);
        if (!next) {
            bad = p;
            break;
        }
        const char *risk = p + ulen + 1;
        failed = (i && put(&o, ",", 1) < 0) || put(&o, "{\"risk\":\"", 9) < 0 ||
                 put_json(&o, risk, (size_t)(next - 1 - risk)) < 0 || put(&o, "\",\"uscc\":\"", 10) < 0 ||
                 put_json(&o, p, ulen) < 0 || put(&o, "\"}", 2) < 0;
        p = next;
    }
    Py_END_ALLOW_THREADS
    if (bad) {
        PyMem_RawFree(o.buf);
        PyErr_Format(PyExc_ValueError, "population line at byte %zd is not USCC<TAB>risk<LF>", (Py_ssize_t)(bad - text));
        return NULL;
    }
    PyObject *piece = finish(&o, failed);
    return piece ? Py_BuildValue("Nn", piece, (Py_ssize_t)(p - text)) : NULL;
}

/* canonical_lines(data) -> the lines `uscc<TAB>risk<LF>` of data sorted by uscc (bytewise: Python's order of ASCII
   strings, PostgreSQL's COLLATE "C"), as bytes; None when a line is not that, or holds a non-ASCII byte, a NUL, a
   CR or a backslash (kept for the database's own sort, as before). The draw's freeze sorts here, on the client,
   the lines PostgreSQL aggregated in table order. */
typedef struct {
    const char *p;
    uint32_t ulen, len;
} Line;

static int cmp_line(const void *a, const void *b) {
    const Line *x = a, *y = b;
    uint32_t n = x->ulen < y->ulen ? x->ulen : y->ulen;
    int c = memcmp(x->p, y->p, n);
    if (c || x->ulen == y->ulen) return c ? c : memcmp(x->p + n, y->p + n, (x->len < y->len ? x->len : y->len) - n);
    return x->ulen < y->ulen ? -1 : 1;
}

static PyObject *canonical_lines(PyObject *self, PyObject *args) {
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    const char *text = data.buf, *end = text + data.len, *p = text;
    Py_ssize_t n = 0, ok = 1;
    for (Py_ssize_t i = 0; i < data.len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') n++;
        else if (ch == 0 || ch == '\r' || ch == '\\' || ch >= 0x80) ok = 0;
    }
    if (!ok || (data.len && text[data.len - 1] != '\n')) {
        PyBuffer_Release(&data);
        Py_RETURN_NONE;
    }
    Line *lines = PyMem_RawMalloc(sizeof(Line) * (size_t)(n ? n : 1));
    PyObject *out = NULL;
    if (!lines) {
        PyBuffer_Release(&data);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t ulen;
        int level;
        const char *next = parse_line(p, end, &ulen, &level);
        if (!next || level < 0 || !ulen) {
            ok = 0;
            break;
        }
        lines[i].p = p;
        lines[i].ulen = ulen;
        lines[i].len = (uint32_t)(next - p);
        p = next;
    }
    if (ok) {
        out = PyBytes_FromStringAndSize(NULL, data.len);
        if (out) {
            char *o = PyBytes_AS_STRING(out);
            Py_BEGIN_ALLOW_THREADS
            qsort(lines, (size_t)n, sizeof(Line), cmp_line);
            for (Py_ssize_t i = 0; i < n; i++) {
                memcpy(o, lines[i].p, lines[i].len);
                o += lines[i].len;
            }
            Py_END_ALLOW_THREADS
        }
    } else {
        out = Py_NewRef(Py_None);
    }
    PyMem_RawFree(lines);
    PyBuffer_Release(&data);
    return out;
}

static PyMethodDef methods[] = {
    {"canonical_lines", canonical_lines, METH_VARARGS, "Lines uscc<TAB>risk<LF> sorted by uscc, or None."},
    {"keyed", keyed, METH_VARARGS, "[SHA-256(prefix || item) + item for item in items]"},
    {"lowest", lowest, METH_VARARGS,
     "The k items with the smallest SHA-256(prefix || item), ascending by digest."},
    {"rank", rank, METH_VARARGS, "The entity draw over a canonical population text: counts and packed selection."},
    {"chosen_rows", chosen_rows, METH_VARARGS, "Rows (uscc, risk, score, by) of a packed selection."},
    {"chosen_json", chosen_json, METH_VARARGS, "Canonical JSON of a packed selection's items."},
    {"chosen_copy", chosen_copy, METH_VARARGS, "COPY text rows of a packed selection."},
    {"population_json", population_json, METH_VARARGS, "Canonical JSON of population items from an offset."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_hashrank", "SHA-256 ranking loops of spotcheck-hashrank-v1, compiled.", -1, methods,
};

PyMODINIT_FUNC PyInit__hashrank(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "RECORD", (long)sizeof(Chosen)) < 0) Py_CLEAR(m); /* bytes per chosen */
    return m;
}
