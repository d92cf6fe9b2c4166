"""Metrics: pure maths on arrays/tensors, apart from the model-backed scorers."""
