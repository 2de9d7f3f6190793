# scratch work, not my submission
import numpy as np

z = np.linspace(-5, 5, 11)
print(1 / (1 + np.exp(-z)))
print(np.outer([1, 2], [3, 4, 5]).shape)
