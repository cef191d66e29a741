//! The country calling codes the ITU has assigned, so that `wareg add` and the TUI's add form
//! refuse a code no number can have (999, 210, 3 …) before anything is sent.
//!
//! Source: ITU-T, "List of ITU-T Recommendation E.164 assigned country codes" (Complement to
//! Recommendation ITU-T E.164 (11/2010)), position on 15 December 2016, the list the ITU
//! publishes at <https://www.itu.int/pub/T-SP-E.164D>; written into this table in December
//! 2026 from that list, and checked code by code against the country codes of Google's
//! libphonenumber metadata (Apache-2.0), which holds every code here but three the ITU lists
//! that carry no numbers in practice (379, 388, 991). 383 (Kosovo, 15 December 2016) is the
//! newest code in either. A numbering plan is a public fact: this table holds the codes and
//! short names of our own, no ITU text. When the ITU assigns a code, add it here (the list's
//! amendments are published in the ITU Operational Bulletin).
//!
//! Codes the list calls spare or reserved are left out: 0; 210, 214, 215, 217, 219, 259,
//! 280–289, 292–296, 384, 422, 424–429, 671, 684, 693–699, 801–807, 809, 830–839, 851, 854,
//! 857–859, 871–877 and 879, 884, 885, 887, 889, 890–899, 969, 978, 990, 997 and 999 (reserved
//! for a future global service). 970 is listed as reserved for the Palestinian Authority and is
//! in use: it is kept.

/// Every assigned country calling code, ascending, with whom it serves. Shared codes (1 for
/// the North American Numbering Plan, 7, 44, 262, 590, 599 …) appear once: the country or
/// territory is in the national number that follows.
pub const ASSIGNED: &[(u16, &str)] = &[
    (
        1,
        "North American Numbering Plan (US, Canada, much of the Caribbean)",
    ),
    (7, "Russia, Kazakhstan"),
    (20, "Egypt"),
    (27, "South Africa"),
    (30, "Greece"),
    (31, "Netherlands"),
    (32, "Belgium"),
    (33, "France"),
    (34, "Spain"),
    (36, "Hungary"),
    (39, "Italy, Vatican City"),
    (40, "Romania"),
    (41, "Switzerland"),
    (43, "Austria"),
    (44, "United Kingdom, Guernsey, Isle of Man, Jersey"),
    (45, "Denmark"),
    (46, "Sweden"),
    (47, "Norway"),
    (48, "Poland"),
    (49, "Germany"),
    (51, "Peru"),
    (52, "Mexico"),
    (53, "Cuba"),
    (54, "Argentina"),
    (55, "Brazil"),
    (56, "Chile"),
    (57, "Colombia"),
    (58, "Venezuela"),
    (60, "Malaysia"),
    (61, "Australia"),
    (62, "Indonesia"),
    (63, "Philippines"),
    (64, "New Zealand"),
    (65, "Singapore"),
    (66, "Thailand"),
    (81, "Japan"),
    (82, "South Korea"),
    (84, "Viet Nam"),
    (86, "China"),
    (90, "Türkiye"),
    (91, "India"),
    (92, "Pakistan"),
    (93, "Afghanistan"),
    (94, "Sri Lanka"),
    (95, "Myanmar"),
    (98, "Iran"),
    (211, "South Sudan"),
    (212, "Morocco"),
    (213, "Algeria"),
    (216, "Tunisia"),
    (218, "Libya"),
    (220, "Gambia"),
    (221, "Senegal"),
    (222, "Mauritania"),
    (223, "Mali"),
    (224, "Guinea"),
    (225, "Côte d'Ivoire"),
    (226, "Burkina Faso"),
    (227, "Niger"),
    (228, "Togo"),
    (229, "Benin"),
    (230, "Mauritius"),
    (231, "Liberia"),
    (232, "Sierra Leone"),
    (233, "Ghana"),
    (234, "Nigeria"),
    (235, "Chad"),
    (236, "Central African Republic"),
    (237, "Cameroon"),
    (238, "Cabo Verde"),
    (239, "São Tomé and Príncipe"),
    (240, "Equatorial Guinea"),
    (241, "Gabon"),
    (242, "Republic of the Congo"),
    (243, "Democratic Republic of the Congo"),
    (244, "Angola"),
    (245, "Guinea-Bissau"),
    (246, "Diego Garcia"),
    (247, "Ascension"),
    (248, "Seychelles"),
    (249, "Sudan"),
    (250, "Rwanda"),
    (251, "Ethiopia"),
    (252, "Somalia"),
    (253, "Djibouti"),
    (254, "Kenya"),
    (255, "Tanzania"),
    (256, "Uganda"),
    (257, "Burundi"),
    (258, "Mozambique"),
    (260, "Zambia"),
    (261, "Madagascar"),
    (262, "Réunion, Mayotte"),
    (263, "Zimbabwe"),
    (264, "Namibia"),
    (265, "Malawi"),
    (266, "Lesotho"),
    (267, "Botswana"),
    (268, "Eswatini"),
    (269, "Comoros"),
    (290, "Saint Helena, Tristan da Cunha"),
    (291, "Eritrea"),
    (297, "Aruba"),
    (298, "Faroe Islands"),
    (299, "Greenland"),
    (350, "Gibraltar"),
    (351, "Portugal"),
    (352, "Luxembourg"),
    (353, "Ireland"),
    (354, "Iceland"),
    (355, "Albania"),
    (356, "Malta"),
    (357, "Cyprus"),
    (358, "Finland, Åland"),
    (359, "Bulgaria"),
    (370, "Lithuania"),
    (371, "Latvia"),
    (372, "Estonia"),
    (373, "Moldova"),
    (374, "Armenia"),
    (375, "Belarus"),
    (376, "Andorra"),
    (377, "Monaco"),
    (378, "San Marino"),
    // Assigned, not in use: the Vatican's numbers are in +39.
    (379, "Vatican City (assigned, not in use)"),
    (380, "Ukraine"),
    (381, "Serbia"),
    (382, "Montenegro"),
    (383, "Kosovo"),
    (385, "Croatia"),
    (386, "Slovenia"),
    (387, "Bosnia and Herzegovina"),
    // A code shared by a group of countries (the European Telephony Numbering Space, closed).
    (388, "group of countries, shared code"),
    (389, "North Macedonia"),
    (420, "Czechia"),
    (421, "Slovakia"),
    (423, "Liechtenstein"),
    (500, "Falkland Islands"),
    (501, "Belize"),
    (502, "Guatemala"),
    (503, "El Salvador"),
    (504, "Honduras"),
    (505, "Nicaragua"),
    (506, "Costa Rica"),
    (507, "Panama"),
    (508, "Saint Pierre and Miquelon"),
    (509, "Haiti"),
    (590, "Guadeloupe, Saint Barthélemy, Saint Martin"),
    (591, "Bolivia"),
    (592, "Guyana"),
    (593, "Ecuador"),
    (594, "French Guiana"),
    (595, "Paraguay"),
    (596, "Martinique"),
    (597, "Suriname"),
    (598, "Uruguay"),
    (599, "Curaçao, Caribbean Netherlands"),
    (670, "Timor-Leste"),
    (
        672,
        "Australian External Territories (Norfolk Island, Antarctica)",
    ),
    (673, "Brunei"),
    (674, "Nauru"),
    (675, "Papua New Guinea"),
    (676, "Tonga"),
    (677, "Solomon Islands"),
    (678, "Vanuatu"),
    (679, "Fiji"),
    (680, "Palau"),
    (681, "Wallis and Futuna"),
    (682, "Cook Islands"),
    (683, "Niue"),
    (685, "Samoa"),
    (686, "Kiribati"),
    (687, "New Caledonia"),
    (688, "Tuvalu"),
    (689, "French Polynesia"),
    (690, "Tokelau"),
    (691, "Micronesia"),
    (692, "Marshall Islands"),
    (800, "International Freephone Service"),
    (808, "International Shared Cost Service"),
    (850, "North Korea"),
    (852, "Hong Kong"),
    (853, "Macao"),
    (855, "Cambodia"),
    (856, "Laos"),
    (870, "Inmarsat"),
    (878, "Universal Personal Telecommunication"),
    (880, "Bangladesh"),
    (881, "Global Mobile Satellite System"),
    (882, "International Networks"),
    (883, "International Networks"),
    (886, "Taiwan"),
    (888, "Telecommunications for Disaster Relief (OCHA)"),
    (960, "Maldives"),
    (961, "Lebanon"),
    (962, "Jordan"),
    (963, "Syria"),
    (964, "Iraq"),
    (965, "Kuwait"),
    (966, "Saudi Arabia"),
    (967, "Yemen"),
    (968, "Oman"),
    (970, "Palestine"),
    (971, "United Arab Emirates"),
    (972, "Israel"),
    (973, "Bahrain"),
    (974, "Qatar"),
    (975, "Bhutan"),
    (976, "Mongolia"),
    (977, "Nepal"),
    (979, "International Premium Rate Service"),
    // A trial of a new international public correspondence service, shared code.
    (991, "ITPCS trial, shared code"),
    (992, "Tajikistan"),
    (993, "Turkmenistan"),
    (994, "Azerbaijan"),
    (995, "Georgia"),
    (996, "Kyrgyzstan"),
    (998, "Uzbekistan"),
];

/// Whom the assigned code `code` serves; None when the ITU has not assigned it.
pub fn assigned(code: u16) -> Option<&'static str> {
    ASSIGNED
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| ASSIGNED[i].1)
}

/// The assigned code that `digits` begins with, when it begins with one: a person who typed
/// the NANP area code or the first digits of the number with the country code ("1264",
/// "447") meant it.
pub fn assigned_prefix(digits: &str) -> Option<(&str, &'static str)> {
    (1..digits.len()).find_map(|n| {
        let head = digits.get(..n)?;
        Some((head, assigned(head.parse().ok()?)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_once_per_code_and_no_code_is_a_prefix_of_another() {
        assert!(ASSIGNED.windows(2).all(|w| w[0].0 < w[1].0));
        // E.164 country codes are a prefix code: a number's first digits say where its
        // country code ends. A table breaking that would be mistyped.
        for (code, _) in ASSIGNED {
            let text = code.to_string();
            assert_eq!(assigned_prefix(&text), None, "{code} begins with another");
        }
        assert_eq!(ASSIGNED.len(), 218);
    }

    #[test]
    fn spare_and_reserved_codes_are_not_assigned() {
        for code in [
            0, 2, 3, 8, 9, 21, 28, 210, 259, 384, 422, 671, 684, 801, 875, 969, 997, 999,
        ] {
            assert_eq!(assigned(code), None, "{code}");
        }
        assert_eq!(assigned(970), Some("Palestine"));
        assert_eq!(assigned_prefix("1264"), Some(("1", ASSIGNED[0].1)));
        assert_eq!(assigned_prefix("999"), None);
    }
}
