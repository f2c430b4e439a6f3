global using static Wan.Runtime.Backends.OpChecks;
