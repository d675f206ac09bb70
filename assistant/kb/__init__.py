"""The knowledge base: source documents in `kb/`, chunked by section, cited by chunk id."""
