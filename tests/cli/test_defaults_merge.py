"""build's --status/--source/--category defaults, and the merge of duplicate values."""

from fidxcli import IndexerTest, data, main


class Defaults(IndexerTest):

    def test_no_flags_means_reported_without_labels(self):
        snap = self.build(data("defaults.csv"))
        res = self.lookup1(snap, "0977111222")
        self.assertVerdict(res, "suspicious", "+84977111222", "+84977111222")
        self.assertMatch(res, categories=[], sources=[], reports=1)

    def test_flags_apply_only_to_rows_that_do_not_say(self):
        snap = self.build(data("defaults.csv"), flags=["--status", "confirmed", "--source",
                                                       "community", "--category", "investment"])
        bare, full, status_only, cats_only = self.lookup(
            snap, "0977 111 222", "0977 111 333", "0977 111 444", "0977 111 555")
        # Nothing given: every default.
        self.assertVerdict(bare, "scam", match_value="+84977111222")
        self.assertMatch(bare, categories=["investment"], sources=["community"])
        # Everything given: no default.
        self.assertVerdict(full, "safe", match_value="+84977111333")
        self.assertMatch(full, categories=["other"], sources=["telco"])
        # Status given ("reported", weaker than the default): kept; the rest defaults.
        self.assertVerdict(status_only, "suspicious", match_value="+84977111444")
        self.assertMatch(status_only, categories=["investment"], sources=["community"])
        # Categories given: they replace the default category, not add to it.
        self.assertVerdict(cats_only, "scam", match_value="+84977111555")
        self.assertMatch(cats_only, categories=["romance"], sources=["community"])

    def test_flags_apply_to_plain_lists(self):
        snap = self.build(data("list.txt"), flags=["--status", "allowlisted", "--source",
                                                   "gov", "--category", "phishing;other"])
        res = self.lookup1(snap, "https://hotro-vcb.com/")
        self.assertVerdict(res, "safe", match_value="hotro-vcb.com")
        self.assertMatch(res, categories=["phishing", "other"], sources=["gov"])

    def test_flags_apply_to_misp_and_stix(self):
        snap = self.build(data("misp-event.json"), data("stix-bundle.json"),
                          flags=["--status", "confirmed", "--source", "vncert",
                                 "--category", "impersonation"])
        misp, stix_nolabels, stix_labels = self.lookup(
            snap, "0886123456", "hoantien.thue@tongcucthue-gov.com",
            "http://lazada-trungthuong.vn/nhan-qua")
        self.assertVerdict(misp, "scam")
        self.assertMatch(misp, categories=["impersonation"], sources=["vncert"])
        self.assertVerdict(stix_nolabels, "scam")
        self.assertMatch(stix_nolabels, categories=["impersonation"], sources=["vncert"])
        # The indicator's own labels are its categories.
        self.assertVerdict(stix_labels, "scam")
        self.assertMatch(stix_labels, categories=["shopping", "phishing"], sources=["vncert"])


class Merge(IndexerTest):

    def check_merged(self, snap):
        phone, by_other_form, dom = self.lookup(snap, "0909888777", "+84 909 888 777",
                                                "https://shop-merge.vn/")
        # Four rows, four ways of writing the number, two files: one entry.
        self.assertVerdict(phone, "scam", "+84909888777", "+84909888777", "phone")
        self.assertMatch(phone, reports=2 + 3 + 1 + 4,
                         categories=["task_job", "investment", "loan"],
                         sources=["bank", "community", "police"],
                         first_seen="2024-01-05", last_seen="2024-05-30")
        self.assertEqual(phone["match"], by_other_form["match"])
        # confirmed + allowlisted + reported: allowlisted wins.
        self.assertVerdict(dom, "safe", match_value="shop-merge.vn", match_kind="domain")
        self.assertMatch(dom, reports=1 + 1 + 5, categories=["shopping", "phishing"],
                         sources=["bank", "community", "police"])

    def test_duplicates_merge(self):
        snap = self.build(data("merge-a.csv"), data("merge-b.jsonl"))
        info = self.run_ok("info", snap).out
        self.assertRegex(info, r"(?m)^indicators: 2$")
        self.check_merged(snap)

    def test_merge_does_not_depend_on_input_order(self):
        self.check_merged(self.build(data("merge-b.jsonl"), data("merge-a.csv")))

    def test_same_file_twice_doubles_reports(self):
        snap = self.build(data("indicators.csv"), data("indicators.csv"))
        res = self.lookup1(snap, "0912345678")
        self.assertVerdict(res, "scam")
        self.assertMatch(res, reports=24, categories=["impersonation"], sources=["police"],
                         first_seen="2024-03-01", last_seen="2024-04-02")

    def test_strongest_status_wins_whatever_the_order(self):
        for order in (("reported", "confirmed"), ("confirmed", "reported")):
            rows = "".join("phone,0911 222 333,%s\n" % s for s in order)
            p = self.write("s.csv", "kind,value,status\n" + rows)
            snap = self.build(p)
            self.assertVerdict(self.lookup1(snap, "0911222333"), "scam")
        rows = "kind,value,status\nphone,0911222333,allowlisted\nphone,0911222333,confirmed\n"
        snap = self.build(self.write("a.csv", rows))
        self.assertVerdict(self.lookup1(snap, "0911222333"), "safe")


if __name__ == "__main__":
    main()
