"""Search documents, Chinese tokens, embeddings and the search backends behind one protocol."""
