// Tests of common/org_tree.h: the pure snapshot (history on dates,
// children, subtree, roots) and the store against a real Redis (created,
// updated, moved, merged, split, dissolved; the cached snapshot reloaded
// only when the projection changed; 50,000 organisations).

#include "common/org_tree.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/atomic_write.h"
#include "common/dates.h"
#include "common/redis_client.h"
#include "common/redis_options.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

using events::v1::Event;
using events::v1::OrganizationSnapshot;
using storage::v1::OrganizationHistory;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

OrganizationSnapshot Snap(const std::string& id, const std::string& parent,
                          const std::string& display = "") {
  OrganizationSnapshot s;
  s.set_name("organizations/" + id);
  if (!parent.empty()) s.set_parent("organizations/" + parent);
  s.set_display_name(display.empty() ? id : display);
  s.set_kind("CELL");
  s.set_level("CELL");
  s.set_is_party_organization(true);
  return s;
}

std::string O(const std::string& id) { return "organizations/" + id; }

std::vector<std::string> Os(std::initializer_list<const char*> ids) {
  std::vector<std::string> out;
  for (const char* id : ids) out.push_back(O(id));
  return out;
}

// ---------------------------------------------------------------- pure

storage::v1::OrganizationVersion Version(const OrganizationSnapshot& s,
                                         absl::CivilDay from,
                                         absl::CivilDay until = {}) {
  storage::v1::OrganizationVersion v;
  *v.mutable_snapshot() = s;
  *v.mutable_valid_from() = FromCivilDay(from);
  if (until != absl::CivilDay()) *v.mutable_valid_until() = FromCivilDay(until);
  return v;
}

OrganizationHistory History(
    std::vector<storage::v1::OrganizationVersion> versions) {
  OrganizationHistory h;
  h.set_name(versions.front().snapshot().name());
  for (auto& v : versions) *h.add_versions() = v;
  return h;
}

// root
//  ├ a ── b (until 2019-12-31; then b is under root)
//  └ c (dissolved 2018-06-30)
OrgTree PureTree() {
  std::vector<OrganizationHistory> histories;
  histories.push_back(History({Version(Snap("root", ""), Day(2015, 1, 1))}));
  histories.push_back(History({Version(Snap("a", "root"), Day(2015, 1, 1))}));
  histories.push_back(
      History({Version(Snap("b", "a"), Day(2016, 1, 1), Day(2019, 12, 31)),
               Version(Snap("b", "root", "b moved"), Day(2020, 1, 1))}));
  histories.push_back(
      History({Version(Snap("c", "root"), Day(2015, 1, 1), Day(2018, 6, 30))}));
  return OrgTree(std::move(histories), 7);
}

TEST(OrgTreeTest, ShapesOnDates) {
  OrgTree tree = PureTree();
  EXPECT_EQ(tree.size(), 4u);
  EXPECT_EQ(tree.changes(), 7);
  EXPECT_TRUE(tree.Known(O("b")));
  EXPECT_FALSE(tree.Known(O("zz")));
  EXPECT_EQ(tree.On(O("b"), Day(2015, 12, 31)), nullptr);
  ASSERT_NE(tree.On(O("b"), Day(2019, 12, 31)), nullptr);
  EXPECT_EQ(tree.On(O("b"), Day(2019, 12, 31))->parent(), O("a"));
  EXPECT_EQ(tree.On(O("b"), Day(2020, 1, 1))->parent(), O("root"));
  EXPECT_EQ(tree.Latest(O("b"))->display_name(), "b moved");
  EXPECT_EQ(tree.On(O("c"), Day(2018, 7, 1)), nullptr);
  ASSERT_NE(tree.Latest(O("c")), nullptr);
  EXPECT_EQ(tree.ValidFrom(O("b")), Day(2016, 1, 1));
  EXPECT_EQ(tree.ValidUntil(O("b")), absl::CivilDay::max());
  EXPECT_EQ(tree.ValidUntil(O("c")), Day(2018, 6, 30));
  ASSERT_NE(tree.History(O("b")), nullptr);
  EXPECT_EQ(tree.History(O("b"))->versions_size(), 2);
  EXPECT_EQ(tree.History(O("zz")), nullptr);
}

TEST(OrgTreeTest, PathsChildrenSubtreesAndRootsOnDates) {
  OrgTree tree = PureTree();
  EXPECT_EQ(tree.PathOn(O("b"), Day(2019, 1, 1)), Os({"root", "a", "b"}));
  EXPECT_EQ(tree.PathOn(O("b"), Day(2020, 1, 1)), Os({"root", "b"}));
  EXPECT_TRUE(tree.PathOn(O("b"), Day(2015, 6, 1)).empty());
  EXPECT_EQ(tree.ChildrenOn(O("root"), Day(2017, 1, 1)), Os({"a", "c"}));
  EXPECT_EQ(tree.ChildrenOn(O("root"), Day(2020, 1, 1)), Os({"a", "b"}));
  EXPECT_EQ(tree.ChildrenOn(O("a"), Day(2020, 1, 1)), Os({}));
  EXPECT_EQ(tree.SubtreeOn(O("root"), Day(2017, 1, 1)),
            Os({"root", "a", "b", "c"}));
  EXPECT_EQ(tree.SubtreeOn(O("root"), Day(2021, 1, 1)), Os({"root", "a", "b"}));
  EXPECT_EQ(tree.SubtreeOn(O("a"), Day(2017, 1, 1)), Os({"a", "b"}));
  EXPECT_TRUE(tree.SubtreeOn(O("c"), Day(2019, 1, 1)).empty());
  EXPECT_EQ(tree.RootsOn(Day(2017, 1, 1)), Os({"root"}));
  EXPECT_TRUE(tree.RootsOn(Day(2000, 1, 1)).empty());
  EXPECT_TRUE(tree.CoversOn(O("a"), O("b"), Day(2019, 1, 1)));
  EXPECT_FALSE(tree.CoversOn(O("a"), O("b"), Day(2020, 1, 1)));
  EXPECT_TRUE(tree.CoversOn(O("root"), O("b"), Day(2020, 1, 1)));
  EXPECT_TRUE(tree.CoversOn(O("b"), O("b"), Day(2020, 1, 1)));
  EXPECT_FALSE(tree.CoversOn(O("b"), O("b"), Day(2015, 1, 1)));
}

// ---------------------------------------------------------------- store

class OrgTreeStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis_server_ = new testing::RedisServer();
    ASSERT_TRUE(redis_server_->Start().ok());
  }
  static void TearDownTestSuite() {
    delete redis_server_;
    redis_server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(redis_server_->FlushAll().ok());
    redis_ =
        std::make_unique<RedisClient>(*ParseRedisUrl(redis_server_->url()));
    store_ =
        std::make_unique<OrgTreeStore>(*redis_, "{pd:quota}:organizations:g1:");
  }

  // Applies one event as the projection does.
  void Apply(const Event& event) {
    AtomicWrite write;
    absl::StatusOr<bool> staged = store_->StageApply(event, write);
    ASSERT_TRUE(staged.ok()) << staged.status();
    ASSERT_TRUE(*staged);
    ASSERT_TRUE(write.Commit(*redis_).ok());
  }
  std::shared_ptr<const OrgTree> Tree() {
    absl::StatusOr<std::shared_ptr<const OrgTree>> tree = store_->Snapshot();
    EXPECT_TRUE(tree.ok()) << tree.status();
    return tree.ok() ? *tree : nullptr;
  }

  static Event At(absl::CivilDay day) {
    Event e;
    *e.mutable_act_date() = FromCivilDay(day);
    e.set_id(absl::StrCat("e", ++next_id_));
    return e;
  }
  void Create(const std::string& id, const std::string& parent,
              absl::CivilDay on) {
    Event e = At(on);
    OrganizationSnapshot s = Snap(id, parent);
    *s.mutable_valid_from() = FromCivilDay(on);
    *e.mutable_organization_created()->mutable_organization() = s;
    Apply(e);
  }
  void Update(const std::string& id, const std::string& parent,
              const std::string& display, absl::CivilDay on,
              absl::CivilDay created = Day(2015, 1, 1)) {
    Event e = At(on);
    OrganizationSnapshot s = Snap(id, parent, display);
    // As membership sends it: valid_from is the organisation's creation.
    *s.mutable_valid_from() = FromCivilDay(created);
    *e.mutable_organization_updated()->mutable_organization() = s;
    Apply(e);
  }
  void Move(const std::string& id, const std::string& from,
            const std::string& to, absl::CivilDay on) {
    Event e = At(on);
    OrganizationSnapshot s = Snap(id, to);
    *s.mutable_valid_from() = FromCivilDay(Day(2015, 1, 1));
    *e.mutable_organization_moved()->mutable_organization() = s;
    e.mutable_organization_moved()->set_old_parent(O(from));
    Apply(e);
  }
  // root ── grass ── cell1, cell2; root ── other
  void BaseTree() {
    Create("root", "", Day(2015, 1, 1));
    Create("grass", "root", Day(2015, 1, 1));
    Create("cell1", "grass", Day(2015, 1, 1));
    Create("cell2", "grass", Day(2015, 1, 1));
    Create("other", "root", Day(2015, 1, 1));
  }

  static testing::RedisServer* redis_server_;
  static int next_id_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<OrgTreeStore> store_;
};

testing::RedisServer* OrgTreeStoreTest::redis_server_ = nullptr;
int OrgTreeStoreTest::next_id_ = 0;

TEST_F(OrgTreeStoreTest, NonOrganisationEventsStageNothing) {
  Event e = At(Day(2020, 1, 1));
  e.mutable_member_admitted()->set_person("people/p");
  AtomicWrite write;
  absl::StatusOr<bool> staged = store_->StageApply(e, write);
  ASSERT_TRUE(staged.ok());
  EXPECT_FALSE(*staged);
  EXPECT_TRUE(write.empty());
}

TEST_F(OrgTreeStoreTest, UpdatesKeepTheOldShapeOnOldDates) {
  BaseTree();
  Update("cell1", "grass", "Chi bộ 1 mới", Day(2020, 3, 1));
  auto tree = Tree();
  const OrganizationHistory* h = tree->History(O("cell1"));
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->versions_size(), 2);
  EXPECT_EQ(CivilDayOf(h->versions(0).valid_until()), Day(2020, 2, 29));
  EXPECT_EQ(tree->On(O("cell1"), Day(2020, 2, 29))->display_name(), "cell1");
  EXPECT_EQ(tree->On(O("cell1"), Day(2020, 3, 1))->display_name(),
            "Chi bộ 1 mới");
  EXPECT_EQ(tree->ValidFrom(O("cell1")), Day(2015, 1, 1));
}

TEST_F(OrgTreeStoreTest, SameDayChangeReplacesTheVersion) {
  BaseTree();
  Update("cell1", "grass", "first", Day(2020, 3, 1));
  Update("cell1", "grass", "second", Day(2020, 3, 1));
  auto tree = Tree();
  const OrganizationHistory* h = tree->History(O("cell1"));
  ASSERT_EQ(h->versions_size(), 2);  // no empty span
  EXPECT_EQ(tree->On(O("cell1"), Day(2020, 3, 1))->display_name(), "second");
  // A change on the creation day replaces the first version.
  Update("cell2", "grass", "renamed at birth", Day(2015, 1, 1));
  tree = Tree();
  EXPECT_EQ(tree->History(O("cell2"))->versions_size(), 1);
  EXPECT_EQ(tree->On(O("cell2"), Day(2015, 1, 1))->display_name(),
            "renamed at birth");
}

TEST_F(OrgTreeStoreTest, MoveKeepsOldPathsOnOldDates) {
  BaseTree();
  Move("cell1", "grass", "other", Day(2021, 7, 1));
  auto tree = Tree();
  EXPECT_EQ(tree->PathOn(O("cell1"), Day(2021, 6, 30)),
            Os({"root", "grass", "cell1"}));
  EXPECT_EQ(tree->PathOn(O("cell1"), Day(2021, 7, 1)),
            Os({"root", "other", "cell1"}));
  EXPECT_EQ(tree->ChildrenOn(O("grass"), Day(2021, 6, 30)),
            Os({"cell1", "cell2"}));
  EXPECT_EQ(tree->ChildrenOn(O("grass"), Day(2021, 7, 1)), Os({"cell2"}));
  EXPECT_EQ(tree->SubtreeOn(O("root"), Day(2021, 7, 1)),
            Os({"root", "grass", "cell2", "other", "cell1"}));
  EXPECT_TRUE(tree->CoversOn(O("grass"), O("cell1"), Day(2020, 1, 1)));
  EXPECT_FALSE(tree->CoversOn(O("grass"), O("cell1"), Day(2022, 1, 1)));
}

TEST_F(OrgTreeStoreTest, MergeEndsTheSourcesTheDayBefore) {
  BaseTree();
  Event e = At(Day(2022, 1, 1));
  auto* merged = e.mutable_organizations_merged();
  merged->add_sources(O("cell1"));
  merged->add_sources(O("cell2"));
  OrganizationSnapshot result = Snap("cell12", "grass", "Chi bộ hợp nhất");
  *result.mutable_valid_from() = FromCivilDay(Day(2022, 1, 1));
  *merged->mutable_result() = result;
  Apply(e);
  auto tree = Tree();
  EXPECT_EQ(tree->ValidUntil(O("cell1")), Day(2021, 12, 31));
  EXPECT_EQ(tree->ValidUntil(O("cell2")), Day(2021, 12, 31));
  EXPECT_EQ(tree->ValidFrom(O("cell12")), Day(2022, 1, 1));
  EXPECT_EQ(tree->ChildrenOn(O("grass"), Day(2021, 12, 31)),
            Os({"cell1", "cell2"}));
  EXPECT_EQ(tree->ChildrenOn(O("grass"), Day(2022, 1, 1)), Os({"cell12"}));
  EXPECT_NE(tree->Latest(O("cell1")), nullptr);
}

TEST_F(OrgTreeStoreTest, MergeIntoASurvivingSourceKeepsIt) {
  BaseTree();
  Event e = At(Day(2022, 1, 1));
  auto* merged = e.mutable_organizations_merged();
  merged->add_sources(O("cell1"));
  merged->add_sources(O("cell2"));
  *merged->mutable_result() = Snap("cell1", "grass", "cell1 enlarged");
  Apply(e);
  auto tree = Tree();
  EXPECT_EQ(tree->ValidUntil(O("cell1")), absl::CivilDay::max());
  EXPECT_EQ(tree->On(O("cell1"), Day(2022, 1, 1))->display_name(),
            "cell1 enlarged");
  EXPECT_EQ(tree->On(O("cell1"), Day(2021, 1, 1))->display_name(), "cell1");
  EXPECT_EQ(tree->ValidUntil(O("cell2")), Day(2021, 12, 31));
}

TEST_F(OrgTreeStoreTest, SplitCreatesTheResultsAndEndsTheSource) {
  BaseTree();
  Event e = At(Day(2023, 4, 1));
  auto* split = e.mutable_organization_split();
  split->set_source(O("cell1"));
  split->set_source_continues(false);
  for (const char* id : {"cell1a", "cell1b"}) {
    OrganizationSnapshot s = Snap(id, "grass");
    *s.mutable_valid_from() = FromCivilDay(Day(2023, 4, 1));
    *split->add_results() = s;
  }
  Apply(e);
  auto tree = Tree();
  EXPECT_EQ(tree->ValidUntil(O("cell1")), Day(2023, 3, 31));
  EXPECT_EQ(tree->ChildrenOn(O("grass"), Day(2023, 4, 1)),
            Os({"cell1a", "cell1b", "cell2"}));
  EXPECT_EQ(tree->ChildrenOn(O("grass"), Day(2023, 3, 31)),
            Os({"cell1", "cell2"}));

  // A split whose source continues keeps it.
  Event again = At(Day(2024, 1, 1));
  auto* part = again.mutable_organization_split();
  part->set_source(O("cell2"));
  part->set_source_continues(true);
  OrganizationSnapshot s = Snap("cell2x", "grass");
  *s.mutable_valid_from() = FromCivilDay(Day(2024, 1, 1));
  *part->add_results() = s;
  Apply(again);
  tree = Tree();
  EXPECT_EQ(tree->ValidUntil(O("cell2")), absl::CivilDay::max());
  EXPECT_EQ(tree->ValidFrom(O("cell2x")), Day(2024, 1, 1));
}

TEST_F(OrgTreeStoreTest, DissolvedOrganisationsEndTheDayBefore) {
  BaseTree();
  Event e = At(Day(2019, 9, 1));
  e.mutable_organization_dissolved()->set_organization(O("cell2"));
  e.mutable_organization_dissolved()->set_successor(O("cell1"));
  Apply(e);
  auto tree = Tree();
  EXPECT_EQ(tree->ValidUntil(O("cell2")), Day(2019, 8, 31));
  EXPECT_NE(tree->On(O("cell2"), Day(2019, 8, 31)), nullptr);
  EXPECT_EQ(tree->On(O("cell2"), Day(2019, 9, 1)), nullptr);
  EXPECT_TRUE(tree->PathOn(O("cell2"), Day(2020, 1, 1)).empty());
  EXPECT_EQ(tree->SubtreeOn(O("grass"), Day(2019, 9, 1)),
            Os({"grass", "cell1"}));

  // Dissolved on the day it was created: it never existed on any day, but
  // its shape is still known.
  Create("brief", "grass", Day(2020, 5, 5));
  Event gone = At(Day(2020, 5, 5));
  gone.mutable_organization_dissolved()->set_organization(O("brief"));
  Apply(gone);
  tree = Tree();
  EXPECT_TRUE(tree->Known(O("brief")));
  EXPECT_EQ(tree->On(O("brief"), Day(2020, 5, 5)), nullptr);
  EXPECT_NE(tree->Latest(O("brief")), nullptr);
  EXPECT_EQ(tree->ChildrenOn(O("grass"), Day(2020, 5, 5)), Os({"cell1"}));
}

TEST_F(OrgTreeStoreTest, UnknownOrganisationsAreLearntFromTheirSnapshot) {
  // A projection started late: the first event about cell9 is a move.
  Create("root", "", Day(2015, 1, 1));
  Create("grass", "root", Day(2015, 1, 1));
  Move("cell9", "old", "grass", Day(2022, 2, 2));
  Update("cell8", "grass", "learnt", Day(2022, 3, 3), Day(2018, 1, 1));
  auto tree = Tree();
  EXPECT_TRUE(tree->Known(O("cell9")));
  EXPECT_EQ(tree->ValidFrom(O("cell9")), Day(2015, 1, 1));
  EXPECT_EQ(tree->ValidFrom(O("cell8")), Day(2018, 1, 1));
  EXPECT_EQ(tree->PathOn(O("cell8"), Day(2019, 1, 1)),
            Os({"root", "grass", "cell8"}));
  // Dissolving an organisation never known changes nothing.
  Event gone = At(Day(2022, 5, 5));
  gone.mutable_organization_dissolved()->set_organization(O("never"));
  Apply(gone);
  EXPECT_FALSE(Tree()->Known(O("never")));
}

TEST_F(OrgTreeStoreTest, SnapshotIsReloadedOnlyWhenTheProjectionChanged) {
  BaseTree();
  auto first = Tree();
  auto second = Tree();
  EXPECT_EQ(first.get(), second.get());  // cached
  EXPECT_EQ(first->changes(), 5);
  Update("cell1", "grass", "x", Day(2020, 1, 1));
  auto third = Tree();
  EXPECT_NE(third.get(), first.get());
  EXPECT_EQ(third->changes(), 6);
  EXPECT_EQ(first->On(O("cell1"), Day(2021, 1, 1))->display_name(), "cell1");
  EXPECT_EQ(third->On(O("cell1"), Day(2021, 1, 1))->display_name(), "x");
  // Another store on the same keys (another replica) sees the same tree.
  OrgTreeStore other(*redis_, "{pd:quota}:organizations:g1:");
  absl::StatusOr<std::shared_ptr<const OrgTree>> seen = other.Snapshot();
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ((*seen)->changes(), 6);
  EXPECT_EQ((*seen)->size(), 5u);
}

TEST_F(OrgTreeStoreTest, FiftyThousandOrganisationsLoadFast) {
  // Written directly (as 50,000 applied events would leave them): a root,
  // 50 committees, 1,000 grassroots, 48,949 cells.
  const std::string prefix = "{pd:quota}:organizations:g1:";
  std::vector<RedisCommand> commands;
  int count = 0;
  auto add = [&](const std::string& id, const std::string& parent) {
    OrganizationHistory h;
    h.set_name(O(id));
    auto* v = h.add_versions();
    *v->mutable_snapshot() = Snap(id, parent);
    *v->mutable_valid_from() = FromCivilDay(Day(2015, 1, 1));
    commands.push_back(
        {"HSET", prefix + "r:" + O(id), "v", "1", "d", h.SerializeAsString()});
    commands.push_back({"ZADD", prefix + "index", "0", O(id)});
    ++count;
  };
  add("root", "");
  for (int c = 0; c < 50; ++c) add(absl::StrCat("c", c), "root");
  for (int g = 0; g < 1000; ++g) {
    add(absl::StrCat("g", g), absl::StrCat("c", g % 50));
  }
  for (int k = 0; count < 50000; ++k) {
    add(absl::StrCat("k", k), absl::StrCat("g", k % 1000));
  }
  commands.push_back({"HSET", prefix + "meta", "changes", "50000"});
  for (size_t i = 0; i < commands.size(); i += 10000) {
    std::vector<RedisCommand> chunk(
        commands.begin() + i,
        commands.begin() + std::min(commands.size(), i + 10000));
    ASSERT_TRUE(redis_->Pipeline(chunk).ok());
  }
  const absl::Time start = absl::Now();
  auto tree = Tree();
  const absl::Duration load = absl::Now() - start;
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->size(), 50000u);
  // Well under a second on an idle machine; generous for sanitizers and a
  // loaded CI machine.
  EXPECT_LT(load, absl::Seconds(5)) << load;
  RecordProperty("load_ms", absl::StrCat(absl::ToInt64Milliseconds(load)));
  const absl::Time walk = absl::Now();
  std::vector<std::string> all = tree->SubtreeOn(O("root"), Day(2024, 1, 1));
  EXPECT_EQ(all.size(), 50000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(tree->PathOn(O(absl::StrCat("k", i)), Day(2024, 1, 1)).size(),
              4u);
  }
  EXPECT_EQ(tree->ChildrenOn(O("g7"), Day(2024, 1, 1)).size(), 49u);
  EXPECT_LT(absl::Now() - walk, absl::Seconds(5));
  // Unchanged: the cached snapshot, one round trip.
  const absl::Time again = absl::Now();
  EXPECT_EQ(Tree().get(), tree.get());
  EXPECT_LT(absl::Now() - again, absl::Milliseconds(500));
}

}  // namespace
}  // namespace partydev
