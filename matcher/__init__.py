"""Two-way ranking: posts for a person, people for a post, with explanations."""
