// The load harness's FreePort serves the tests too: one copy, in the harness (referenced aliased, as it has a Program
// of its own; its internals are visible to this assembly).
extern alias LoadBench;

global using FreePort = LoadBench::Monitoring.LoadBench.FreePort;
