// Package cluster runs tests over Locust's master/worker protocol, so that
// its workers and masters work with Locust's own: msgpack messages [type,
// data, node_id] over a ZeroMQ ROUTER socket on the master and a DEALER
// socket on each worker. A Worker runs a session's users for a master,
// as many per class as each spawn message asks, and sends what they
// measured as stats deltas every three seconds with a heartbeat every
// second. A Master keeps the workers that joined and their health, splits
// each test's users over them at the spawn rate, merges their reports into
// the session's stats (the LLM figures exactly, bucket by bucket) and
// stops them.
package cluster
