"""The shared suites: every agent of the registry, asked by capability (its provision), none named."""
