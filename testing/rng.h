/* rng.h — the deterministic pseudo-random generator of the fixture generators (splitmix64).
 *
 * Same seed, same sequence, on every platform: generated fixtures are byte-identical per seed. */
#ifndef TST_RNG_H
#define TST_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_rng {
  uint64_t s;
} tst_rng;

/* Mixes a and b into a well-spread 64-bit value (seeds for independent streams). */
static inline uint64_t tst_mix64(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint64_t tst_rng_next(tst_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t tst_rng_below(tst_rng *r, uint32_t n) {
  return (uint32_t)(((tst_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static inline double tst_rng_unit(tst_rng *r) {
  return (double)(tst_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

#ifdef __cplusplus
}
#endif

#endif /* TST_RNG_H */
