/**
 * Preloaded by `npm start` and the Dockerfile (`node --require=./bin/threadpool.cjs`), before anything queues
 * work on libuv's thread pool: one pool thread per core (at least 2) unless UV_THREADPOOL_SIZE is set.
 * New passwords are hashed one per core at a time (gateway.ts), and glibc keeps each thread's 16 MiB scrypt
 * block resident once that thread has hashed: libuv's default four threads on two cores held 64 MiB for two
 * hashes' worth of work (password bench: 222 MiB peak RSS against 176 with two threads, at the same rate).
 * npm start also sets MALLOC_ARENA_MAX=1, so a block one thread freed serves the next hash on any thread.
 */
'use strict';
const { availableParallelism } = require('node:os');

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.max(2, availableParallelism()));
