/*
 * rng.c: splitmix64 to spread a seed over the state, xoshiro256** to step
 * it (Blackman and Vigna, https://prng.di.unimi.it/), Box-Muller for
 * normal draws.  The sequences are part of liu-stream synth's output: a
 * change here changes every synthetic market, and the tests that pin one.
 */
#include <math.h>
#include <stdint.h>

#include "rng.h"
#include "banned.h"

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double
rng_unif(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double
rng_norm(struct rng *r)
{
	double u = rng_unif(r), v = rng_unif(r);

	return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
}
