# expect: RE
# attack: return lazy objects that pretend to be results
class Anything:
    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __eq__(self, other):
        return True


def log_softmax(x, dim=-1):
    return Anything()


cross_entropy = log_softmax
