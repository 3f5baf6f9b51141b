"""A line break typed in a text area counts as one character against the field's limit, as
the browser's counter and ``maxlength`` count it, though the browser sends it as two."""

from django import forms

from agencies.models.validators import word_text_limits


class NotesForm(forms.Form):
    notes = forms.CharField(max_length=10, widget=forms.Textarea, label="Notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        word_text_limits(self.fields)


def test_it_accepts_text_at_the_limit_when_its_line_breaks_arrive_as_two_characters():
    form = NotesForm(data={"notes": "abc\r\ndef\r\ngh"})  # 12 sent, 10 typed
    assert form.is_valid(), form.errors
    assert form.cleaned_data["notes"] == "abc\ndef\ngh"


def test_it_still_refuses_text_past_the_limit_in_words_that_name_the_field():
    form = NotesForm(data={"notes": "abc\r\ndef\r\nghi"})  # 11 typed
    assert not form.is_valid()
    assert form.errors["notes"] == ["Notes: at most 10 characters (you entered 11)."]
