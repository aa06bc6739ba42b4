"""The neural end of textpipe: an ELMo-style bidirectional language model in PyTorch.

The package is split by concern:

* :mod:`~textpipe.neural.vocab`: word and character vocabularies (JSON);
* :mod:`~textpipe.neural.encoder`: the character-CNN token encoder (character
  embeddings, filters of several widths, max-pooling, highway layers, projection);
* :mod:`~textpipe.neural.softmax`: the word softmax shared by both directions
  (adaptive softmax for large vocabularies, a full one for small);
* :mod:`~textpipe.neural.bilm`: the biLM itself (forward and backward LSTM stacks
  with residual connections), batching, and the layer states ELMo mixes;
* :mod:`~textpipe.neural.elmo`: the scalar mix and batched, autograd-free
  embedding of token lists with a pretrained biLM;
* :mod:`~textpipe.neural.training`: the fit loop every neural model trains with
  (callbacks for early stopping, checkpoints and exact resume, time limit, progress;
  seeding; batches of documents of similar length);
* :mod:`~textpipe.neural.pretrain`: the pretraining configuration and run
  (held-out perplexity, checkpoints and resume, early stopping, on the fit loop);
* :mod:`~textpipe.neural.io`: a biLM folder (``weights.safetensors``,
  ``config.json``, ``vocab.json``; no pickles);
* :mod:`~textpipe.neural.threads`: torch's thread count, set and restored.

The networks (``bilm``, ``elmo``, ``classifier``, ``io`` and what they use) import
torch; they are imported only when a neural stage is fitted or used, or a biLM is
pretrained, so ``import textpipe`` and ``textpipe --help`` stay light.
"""
