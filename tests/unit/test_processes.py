import os
import select

from curso.pipeline.processes import ForkedWork


def test_forked_work_does_not_keep_other_processes_pipes_open():
    """A child whose answer waits to be collected (larger than a pipe holds) must not hold the write
    end of another pipe: the process reading it (the lesson runner, KaTeX) would wait for ever for
    its end-of-file, as the cold build did for 10 s."""
    reader, writer = os.pipe()
    work = ForkedWork(lambda: "x" * (1 << 20))
    os.close(writer)
    try:
        assert select.select([reader], [], [], 5)[0], "o filho ainda segura a ponta de escrita do pipe"
        assert os.read(reader, 1) == b""
    finally:
        os.close(reader)
        assert work.reply(30) == "x" * (1 << 20)
