"""What a fall sampling outcome means for the organization."""


# --- Fall sampling notices ---------------------------------------------------------------------------


def sampling_consequences(outcome) -> tuple[str, list[str]]:
    """What a sampling outcome means for the organization: a summary and the consequences the
    2020 guide lists ["Is it possible for my organization to be unable to report through the
    CMS Web Interface?"; "Is it possible we won't be able to administer the CAHPS for MIPS
    Survey?"]."""
    from registrations.models import SamplingOutcome

    if SamplingOutcome(outcome) is SamplingOutcome.NO_MEDICARE_PATIENTS:
        return (
            "CMS assigned 0 Medicare patients to this organization for the CMS Web Interface measures, "
            "so no patient sample can be populated. It can't submit quality data through the CMS Web "
            "Interface.",
            [
                "The organization won't meet the CMS Web Interface data submission criteria.",
                "Submit quality measures through another collection type (eCQMs or MIPS CQMs).",
            ],
        )
    return (
        "This organization does not meet the minimum patient sampling requirements, so it will not be "
        "able to administer the CAHPS for MIPS Survey.",
        [
            "It can't attest to Participation in CAHPS or Other Supplemental Questionnaire (IA_PSPA_11): "
            "select a different activity for the Improvement Activities performance category.",
            "It can't supplement its quality score with points for administering the CAHPS for MIPS Survey.",
            "It may qualify for a denominator reduction in the Quality performance category if it does not "
            "submit quality data through the CMS Web Interface.",
        ],
    )
