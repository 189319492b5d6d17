/*
 * rng.h: seeded pseudo-random numbers (xoshiro256**, seeded through
 * splitmix64), the same sequence for the same seed on every machine.
 * For simulations and tests, never for secrets.  The caller owns the
 * state; there is no global generator.
 */
#ifndef LIU_RNG_H
#define LIU_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Set 'r' to the state that 'seed' names.  Any seed, 0 included, works. */
void rng_seed(struct rng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1), from the top 53 bits of rng_next(). */
double rng_unif(struct rng *r);
/* Standard normal, by Box-Muller (one draw per two rng_unif()). */
double rng_norm(struct rng *r);

#endif
