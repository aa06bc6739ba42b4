def test_tiny_bert_loads_offline(tiny_bert, no_network):
    from transformers import AutoModel, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(tiny_bert, local_files_only=True)
    model = AutoModel.from_pretrained(tiny_bert, local_files_only=True)
    enc = tok(["a great film", "zzz qqq"], return_tensors="pt", padding=True)
    out = model(**enc).last_hidden_state
    assert out.shape[0] == 2 and out.shape[2] == 16
    assert (tiny_bert / "tokenizer.json").exists()
    import socket, pytest
    from tests.support.tiny_transformers import NetworkAccessError
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("example.org", 80))
